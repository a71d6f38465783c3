import { describe, expect, it } from 'vitest';
import type { FormSpec } from '../../api/formTypes';
import { chartTypeKeys } from '../../extensions/charts/registry';
import { messages } from '../../i18n/messages';
import { repoFile } from '../testing/goSource';
import { addDimension, addMeasure, datasetFields, dimensionKey, measureKey, moveMeasure, newDimension, newMeasure, previewable, previewBody, removeMeasure, updateMeasure, type ReportSpec } from './model';

const example = JSON.parse(repoFile('engine/meta/testdata/valid/report.json')) as ReportSpec;

const sales: FormSpec = {
  title: '销售',
  fields: [
    { key: 'store', type: 'relation', label: '门店', form: 'stores' },
    { key: 'amount', type: 'money', label: '金额' },
    { key: 'paidAt', type: 'datetime', label: '支付时间' },
    { key: 'status', type: 'select', label: '状态', options: [{ value: 'paid', label: '已支付' }] },
    { key: 'member', type: 'relation', label: '会员', form: 'members' },
  ],
};
const stores: FormSpec = { title: '门店', fields: [{ key: 'region', type: 'select', label: '大区', options: [{ value: 'east', label: '华东' }] }] };
const forms = new Map([
  ['sales', sales],
  ['stores', stores],
]);

describe('report model', () => {
  it('names outputs as the server does', () => {
    expect(example.dimensions!.map(dimensionKey)).toEqual(['store', 'paidAt_month']);
    expect(example.measures.map(measureKey)).toEqual(['sum_amount', 'count', 'buyers', 'perBuyer']);
    expect(dimensionKey({ field: 's.region' })).toBe('s_region');
    expect(measureKey({ op: 'sum', field: 's.area' })).toBe('sum_s_area');
    // The example sorts by one of these names.
    expect(example.measures.map(measureKey)).toContain(example.sort!.replace(/^-/, ''));
  });

  it('sets and clears a distinct count\'s minimum rows (repeat buyers)', () => {
    const i = example.measures.findIndex((m) => m.op === 'countDistinct');
    expect(i).toBeGreaterThanOrEqual(0);
    const repeat = updateMeasure(example, i, { minRows: 2 });
    expect(repeat.measures[i]).toMatchObject({ op: 'countDistinct', minRows: 2 });
    expect(JSON.parse(JSON.stringify(updateMeasure(repeat, i, { minRows: undefined }))).measures[i]).not.toHaveProperty('minRows');
  });

  it('offers the form fields and the joined form fields', () => {
    const fields = datasetFields(example, forms);
    expect(fields.map((f) => f.path)).toEqual(['store', 'amount', 'paidAt', 'status', 'member', 's.region']);
    expect(fields.at(-1)!.join).toBe('s');
    expect(datasetFields({ ...example, dataset: { form: 'nope' } }, forms)).toEqual([]);
  });

  it('makes dimensions and measures suited to the field', () => {
    const [store, amount, paidAt, status] = datasetFields(example, forms);
    expect(newDimension(paidAt!)).toEqual({ field: 'paidAt', bucket: 'month' });
    expect(newDimension(store!)).toEqual({ field: 'store' });
    expect(newMeasure(amount!)).toEqual({ op: 'sum', field: 'amount', format: 'money' });
    expect(newMeasure(status!)).toEqual({ op: 'countDistinct', field: 'status' });
    expect(newMeasure(undefined)).toEqual({ op: 'count' });
  });

  it('adds, moves and removes dimensions and measures without clashing names', () => {
    let s: ReportSpec = { title: 'x', dataset: { form: 'sales' }, measures: [{ op: 'count' }] };
    s = addDimension(s, { field: 'status' });
    expect(addDimension(s, { field: 'status' })).toBe(s);
    s = addMeasure(s, { op: 'count' });
    expect(s.measures.map(measureKey)).toEqual(['count', 'count2']);
    s = addMeasure(s, { op: 'sum', field: 'amount' }, 0);
    expect(moveMeasure(s, 0, 2).measures.map(measureKey)).toEqual(['count', 'count2', 'sum_amount']);
    s = updateMeasure(s, 0, { label: '销售额', format: 'money' });
    expect(s.measures[0]).toEqual({ op: 'sum', field: 'amount', label: '销售额', format: 'money' });
    expect(updateMeasure(s, 0, { format: undefined }).measures[0]).toEqual({ op: 'sum', field: 'amount', label: '销售额' });
    const one: ReportSpec = { ...s, measures: [{ op: 'count' }] };
    expect(removeMeasure(one, 0)).toBe(one);
  });

  it('previews a spec only once it names what the engine needs', () => {
    expect(previewable(example)).toBe(true);
    expect(previewable({ ...example, dataset: { form: '' } })).toBe(false);
    expect(previewable({ ...example, measures: [] })).toBe(false);
    expect(previewable({ ...example, measures: [{ op: 'sum' }] })).toBe(false);
    expect(previewable({ ...example, measures: [{ op: 'count' }, { op: 'formula', formula: ' ' }] })).toBe(false);
    expect(previewable({ ...example, measures: [{ op: 'count', as: 'n' }, { op: 'formula', formula: 'n * 2' }] })).toBe(true);
    expect(previewable({ ...example, dimensions: [{ field: '' }] })).toBe(false);
  });

  it('sends the spec being edited with the parameters that have values', () => {
    expect(previewBody('sales-by-store', example)).toEqual({ key: 'sales-by-store', spec: example });
    expect(previewBody('r', example, { period: 'thisMonth', region: '', tier: null, store: undefined })).toEqual({ key: 'r', spec: example, parameters: { period: 'thisMonth' } });
  });

  it('has a name for every chart type in both languages', () => {
    for (const k of chartTypeKeys()) {
      const key = `builder.chart.${k.slice(6)}` as keyof (typeof messages)['en'];
      expect(messages['zh-CN'][key], k).toBeTruthy();
      expect(messages.en[key], k).toBeTruthy();
    }
  });
});
