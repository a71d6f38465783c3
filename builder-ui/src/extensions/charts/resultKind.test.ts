import { describe, expect, it } from 'vitest';
import { parseExactJson } from '../../api/exactJson';
import type { ReportResult } from '../../dashboards/api';
import { drillPath } from '../../dashboards/useDrill';
import { canDrill, drillRecordId, isInternalColumn, isPairsResult, isRecordList, visibleColumns } from './resultKind';
import { rowCell } from './shared';
import { tableColumns, tableDrill, tableRows } from './table';

function result(json: string): ReportResult {
  return parseExactJson(json) as ReportResult;
}

// The churn-risk list as engine/report list.go returns it: one row per
// member, the record id in "_record", the server's table option listing it.
const churn = result(`{
  "report": "churn-risk", "truncated": false, "source": "raw", "cached": false,
  "columns": [
    {"key": "name", "label": "姓名", "role": "dimension", "type": "string", "field": "name"},
    {"key": "mobile", "label": "手机号", "role": "dimension", "type": "string", "field": "mobile"},
    {"key": "_record", "label": "记录", "role": "dimension", "type": "string", "field": "_id"},
    {"key": "spend", "label": "近12月消费", "role": "measure", "type": "int", "format": "money", "field": "spend12m"}],
  "rows": [{"name": "王芳", "mobile": "139****0211", "_record": "01JD7Q0M0000000000000000AB", "spend": 1288000},
           {"name": "李雷", "mobile": "138****1234", "_record": "01JD7Q0M0000000000000000CD", "spend": 990000}],
  "chart": {"type": "chart.table", "option": {"pageSize": 20, "columns": [
    {"key": "name", "title": "姓名", "role": "dimension"}, {"key": "mobile", "title": "手机号", "role": "dimension"},
    {"key": "_record", "title": "记录", "role": "dimension"}, {"key": "spend", "title": "近12月消费", "role": "measure", "format": "money"}]}}
}`);

// The basket-pairs result (engine/report pairs.go): two dimensions over
// the same sub-table column, the pair measures.
const pairs = result(`{
  "report": "basket-pairs", "truncated": false, "source": "raw", "cached": false,
  "columns": [
    {"key": "categoryA", "label": "品类 A", "role": "dimension", "type": "string", "field": "lines.category"},
    {"key": "categoryB", "label": "品类 B", "role": "dimension", "type": "string", "field": "lines.category"},
    {"key": "baskets", "label": "同单交易数", "role": "measure", "type": "int"},
    {"key": "support", "label": "支持度", "role": "measure", "type": "decimal", "format": "percent"},
    {"key": "lift", "label": "提升度", "role": "measure", "type": "decimal"}],
  "rows": [{"categoryA": "dairy", "categoryB": "snacks", "baskets": 412, "support": "0.0825", "lift": "1.42"}]
}`);

// A plain grouped result over two different fields.
const grouped = result(`{
  "report": "sales", "truncated": false, "source": "raw", "cached": false,
  "columns": [
    {"key": "region", "label": "大区", "role": "dimension", "type": "string", "field": "store.region"},
    {"key": "tier", "label": "等级", "role": "dimension", "type": "string", "field": "member.tier"},
    {"key": "paid", "label": "月", "role": "dimension", "type": "date", "field": "paidAt", "bucket": "month"},
    {"key": "paid2", "label": "星期", "role": "dimension", "type": "string", "field": "paidAt", "bucket": "dayOfWeek"},
    {"key": "sales", "label": "销售额", "role": "measure", "type": "int", "format": "money"}],
  "rows": [{"region": "east", "tier": "gold", "paid": "2026-11", "paid2": "1", "sales": 100}]
}`);

describe('record lists', () => {
  it('hide the record id column, also when the server option lists it', () => {
    expect(isRecordList(churn)).toBe(true);
    expect(tableColumns(churn, churn.chart!.option).map((c) => c.key)).toEqual(['name', 'mobile', 'spend']);
    expect(tableColumns(churn, {}).map((c) => c.key)).toEqual(['name', 'mobile', 'spend']);
    expect(isInternalColumn({ key: '_record' })).toBe(true);
    expect(isInternalColumn({ key: 'record' })).toBe(false);
    expect(visibleColumns([{ key: '_x' }, { key: 'y' }])).toEqual([{ key: 'y' }]);
  });

  it('open the row member’s record page', () => {
    const row = tableRows(churn)[1]!;
    const cell = tableDrill(churn, row)!;
    expect(cell.cell._record).toBe('01JD7Q0M0000000000000000CD');
    expect(drillRecordId(cell)).toBe('01JD7Q0M0000000000000000CD');
    const d = { form: 'members', filter: { _id: '01JD7Q0M0000000000000000CD' }, count: 1 };
    expect(drillPath('crm', cell, d)).toBe('/apps/crm/form/members/records/01JD7Q0M0000000000000000CD');
  });

  it('other cells still open the records list', () => {
    const cell = rowCell(grouped, grouped.rows[0]!);
    expect(cell).toBeUndefined(); // dayOfWeek cannot be drilled
    const plain = { cell: { region: 'east' } };
    expect(drillRecordId(plain)).toBeUndefined();
    expect(drillRecordId({ cell: { _record: 'x' }, others: true })).toBeUndefined();
    expect(drillRecordId({ cell: { _record: null } })).toBeUndefined();
    expect(drillPath('crm', plain, { form: 'transactions', filter: { 'store.region': 'east' }, count: 3 })).toBe(
      `/apps/crm/form/transactions?filter=${encodeURIComponent('{"store.region":"east"}')}`,
    );
  });
});

describe('pairs results', () => {
  it('are told apart from grouped results', () => {
    expect(isPairsResult(pairs)).toBe(true);
    expect(isPairsResult(grouped)).toBe(false); // the same field twice, but bucketed
    expect(isPairsResult(churn)).toBe(false);
  });

  it('offer no drill-down (the server refuses report.pairs_drill)', () => {
    expect(canDrill(pairs)).toBe(false);
    expect(tableDrill(pairs, tableRows(pairs)[0]!)).toBeUndefined();
    expect(canDrill(churn)).toBe(true);
    expect(tableColumns(pairs, {}).map((c) => c.key)).toEqual(['categoryA', 'categoryB', 'baskets', 'support', 'lift']);
  });
});
