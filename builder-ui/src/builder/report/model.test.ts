import { describe, expect, it } from 'vitest';
import type { FormSpec } from '../../api/formTypes';
import { chartTypeKeys } from '../../extensions/charts/registry';
import { messages } from '../../i18n/messages';
import { repoFile } from '../testing/goSource';
import { addDimension, addMeasure, datasetFields, dimensionKey, measureKey, moveMeasure, newDimension, newMeasure, previewRequest, previewResult, removeMeasure, updateMeasure, type ReportSpec } from './model';

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

  it('previews a draft with an aggregate of the form, leaving out what needs the report engine', () => {
    const { request, skipped } = previewRequest(example);
    expect(request).toEqual({
      filter: { status: 'paid' },
      groupBy: [
        { field: 'store', as: 'store' },
        { field: 'paidAt', bucket: 'month', as: 'paidAt_month' },
      ],
      measures: [
        { op: 'sum', field: 'amount', as: 'sum_amount' },
        { op: 'count', as: 'count' },
        { op: 'countDistinct', field: 'member', as: 'buyers' },
      ],
      sort: '-sum_amount',
      limit: 100,
    });
    expect(skipped).toEqual(['perBuyer']);
    const joined = previewRequest({ ...example, dimensions: [{ field: 's.region' }], measures: [{ op: 'formula', formula: '1' }] });
    expect(joined.skipped).toEqual(['s.region', 'formula']);
    expect(joined.request.measures).toEqual([{ op: 'count', as: 'count' }]);
  });

  it('draws the preview rows with the server chart option shape', () => {
    const spec: ReportSpec = { title: 'x', dataset: { form: 'sales' }, dimensions: [{ field: 'status' }], measures: [{ op: 'sum', field: 'amount', format: 'money', label: '销售额' }] };
    const rows = [
      { status: 'paid', sum_amount: 12345 },
      { status: 'refund', sum_amount: 100 },
    ];
    const fields = datasetFields(spec, forms);
    const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
    const bar = previewResult(spec, rows, fields, 'chart.bar', text);
    expect(bar.columns.map((c) => [c.key, c.role, c.label, c.format])).toEqual([
      ['status', 'dimension', '状态', undefined],
      ['sum_amount', 'measure', '销售额', 'money'],
    ]);
    expect(bar.chart!.option).toMatchObject({ xAxis: { type: 'category', data: ['已支付', 'refund'] }, series: [{ type: 'bar', name: '销售额', data: [12345, 100] }] });
    const pie = previewResult(spec, rows, fields, 'chart.pie', text);
    expect(pie.chart!.option).toMatchObject({ series: [{ type: 'pie', data: [{ name: '已支付', value: 12345 }, { name: 'refund', value: 100 }] }] });
    expect(previewResult(spec, rows, fields, 'chart.kpi', text).chart!.type).toBe('chart.table');
  });

  it('has a name for every chart type in both languages', () => {
    for (const k of chartTypeKeys()) {
      const key = `builder.chart.${k.slice(6)}` as keyof (typeof messages)['en'];
      expect(messages['zh-CN'][key], k).toBeTruthy();
      expect(messages.en[key], k).toBeTruthy();
    }
  });
});
