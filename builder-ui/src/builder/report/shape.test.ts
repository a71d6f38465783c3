import { describe, expect, it } from 'vitest';
import type { FormSpec } from '../../api/formTypes';
import { messages } from '../../i18n/messages';
import { goFiles, repoFile } from '../testing/goSource';
import { problemsAt } from '../view/model';
import { dimensionKey, measureKey, previewable, type ReportSpec } from './model';
import { clearPairs, isPairOp, isPairsSpec, isTextColumn, missingPairOps, PAIR_OPS, pairSources, setList, setPairs, updatePairs } from './shape';

const transactions: FormSpec = {
  title: '交易',
  fields: [
    { key: 'store', type: 'relation', label: '门店', form: 'stores' },
    { key: 'paidAt', type: 'datetime', label: '支付时间' },
    {
      key: 'lines',
      type: 'subtable',
      label: '明细',
      fields: [
        { key: 'sku', type: 'text', label: '商品' },
        { key: 'category', type: 'select', label: '品类', options: [{ value: 'dairy', label: '乳品' }] },
        { key: 'qty', type: 'number', label: '数量' },
        { key: 'tags', type: 'multiselect', label: '标签' },
        { key: 'staff', type: 'user', label: '导购', multiple: true },
      ],
    },
    { key: 'payments', type: 'subtable', label: '支付', fields: [{ key: 'amount', type: 'money', label: '金额' }] },
  ],
};
const forms = new Map([['transactions', transactions]]);

const grouped: ReportSpec = {
  title: '销售',
  dataset: { form: 'transactions' },
  dimensions: [{ field: 'paidAt', bucket: 'month' }, { field: 'store' }],
  measures: [{ op: 'count' }, { op: 'sum', field: 'amount' }, { op: 'formula', formula: 'sum_amount / count', as: 'aov' }],
  totals: true,
  others: true,
  limit: 10,
};

describe('pairs dimension', () => {
  it('offers the sub-tables with a text column, and only their text columns', () => {
    const src = pairSources(grouped, forms);
    expect(src.map((s) => s.subtable.key)).toEqual(['lines']);
    expect(src[0]!.columns.map((c) => c.key)).toEqual(['sku', 'category']);
    expect(isTextColumn({ key: 'm', type: 'relation', label: '', multiple: false })).toBe(true);
    expect(isTextColumn({ key: 'f', type: 'formula', label: '', resultType: 'number' })).toBe(false);
    expect(pairSources({ ...grouped, dataset: { form: 'nope' } }, forms)).toEqual([]);
  });

  it('makes a pairs report without what the server refuses beside it', () => {
    const src = pairSources(grouped, forms)[0]!;
    const p = setPairs({ ...grouped, list: true, compare: ['previousPeriod'] }, src);
    expect(p.dimensions).toEqual([{ pairs: { subtable: 'lines', field: 'sku', with: 'skuB' }, as: 'skuA' }]);
    // Field measures go (report.pairs_measure); formulas stay; the pair measures come in.
    expect(p.measures.map((m) => m.op)).toEqual(['baskets', 'support', 'confidence', 'lift', 'formula']);
    for (const k of ['totals', 'others', 'list', 'compare']) expect(p[k], k).toBeUndefined();
    expect(p.limit).toBe(10);
    expect(p.sort).toBe('-baskets');
    expect(isPairsSpec(p)).toBe(true);
    expect(previewable(p)).toBe(true);
    expect(dimensionKey(p.dimensions![0]!)).toBe('skuA');
    expect(missingPairOps(p)).toEqual(['confidenceBA']);
  });

  it('changes the sub-table column and output names, and goes back to a grouped report', () => {
    const sources = pairSources(grouped, forms);
    let p = setPairs(grouped, sources[0]!);
    p = updatePairs(p, { field: 'category', as: 'categoryA', with: 'categoryB' }, sources);
    expect(p.dimensions![0]).toEqual({ pairs: { subtable: 'lines', field: 'category', with: 'categoryB' }, as: 'categoryA' });
    p = updatePairs(p, { as: '', with: '' }, sources);
    expect(dimensionKey(p.dimensions![0]!)).toBe('categoryA'); // the server's default
    expect(p.dimensions![0]!.pairs!.with).toBeUndefined();
    expect(previewable({ ...p, dimensions: [{ pairs: { subtable: 'lines', field: '' } }] })).toBe(false);
    const back = clearPairs(p);
    expect(isPairsSpec(back)).toBe(false);
    expect(back.dimensions).toEqual([]);
    expect(back.measures).toEqual([{ op: 'count' }]);
    expect(back.sort).toBeUndefined();
  });

  it('reads the template basket-pairs report', () => {
    const spec = JSON.parse(repoFile('templates/crm-retail/reports/basket-pairs.json')) as ReportSpec;
    expect(isPairsSpec(spec)).toBe(true);
    expect(previewable(spec)).toBe(true);
    expect(spec.measures.filter((m) => isPairOp(m.op)).map(measureKey)).toEqual(expect.arrayContaining(['baskets']));
  });

  it('has the server’s pair measures and problem paths', () => {
    const go = goFiles('engine/report', /^pairs\.go$/)[0]!.text;
    for (const op of PAIR_OPS) expect(go, op).toContain(`= "${op}"`);
    for (const path of ['.pairs.subtable"', '.pairs.field"', '.pairs.with"', '.as"']) expect(go, path).toContain(path);
  });
});

describe('record lists', () => {
  it('turn on without buckets, totals or others, and off again', () => {
    const l = setList(grouped, true);
    expect(l.list).toBe(true);
    expect(l.dimensions).toEqual([{ field: 'paidAt' }, { field: 'store' }]);
    expect(l.totals).toBeUndefined();
    expect(l.others).toBeUndefined();
    expect(l.measures).toEqual(grouped.measures);
    expect(setList(l, false).list).toBeUndefined();
  });
});

describe('designer problems', () => {
  it('show a pairs problem at its field', () => {
    const problems = [
      { path: 'dimensions[0].pairs.field', message: 'the sub-table "lines" has no text column "qty"' },
      { path: 'measures[1].op', message: 'a pairs report measures baskets…' },
    ];
    expect(problemsAt(problems, 'dimensions[0].pairs.field')).toEqual(['the sub-table "lines" has no text column "qty"']);
    expect(problemsAt(problems, 'dimensions[0].pairs.subtable')).toEqual([]);
    expect(problemsAt(problems, 'measures[1].op')).toHaveLength(1);
  });

  it('have labels in both languages', () => {
    const keys = ['builder.report.list', 'builder.report.pairs', 'builder.report.pairs.subtable', 'builder.report.pairs.field', 'builder.report.pairs.as', 'builder.report.pairs.with', 'builder.report.pairs.addMeasure', ...PAIR_OPS.map((o) => `builder.agg.${o}`)];
    for (const k of keys) {
      expect(messages['zh-CN'][k as keyof (typeof messages)['en']], k).toBeTruthy();
      expect(messages.en[k as keyof (typeof messages)['en']], k).toBeTruthy();
    }
    expect(messages['zh-CN']['builder.report.pairs']).toBe('品类组合');
    expect(messages['zh-CN']['builder.report.list']).toBe('逐条列出记录');
  });
});
