import { FIELD_TYPE_KEYS } from '../../extensions/fieldTypes/registry';

/** The palette's groups, in the order they are shown (engine/form Spec.Group). */
export const PALETTE_GROUPS = ['basic', 'choice', 'contact', 'media', 'relation', 'advanced', 'computed'] as const;

export type PaletteGroup = (typeof PALETTE_GROUPS)[number];

/** One field type of the palette: its group and its name in both languages (engine/form Spec.Title). */
export interface PaletteItem {
  type: string;
  group: PaletteGroup;
  title: { 'zh-CN': string; en: string };
}

/**
 * Every field type the server registers, as GET /api/field-types lists
 * them. The list is kept here so the palette draws without a round trip;
 * palette.test.ts keeps it equal to the newSpec(...) calls of engine/form
 * and to the UI's renderer registry, and a Go test (server/api) keeps it
 * equal to what the endpoint serves.
 */
export const PALETTE: readonly PaletteItem[] = [
  { type: 'text', group: 'basic', title: { 'zh-CN': '单行文本', en: 'Text' } },
  { type: 'textarea', group: 'basic', title: { 'zh-CN': '多行文本', en: 'Long text' } },
  { type: 'richtext', group: 'basic', title: { 'zh-CN': '富文本', en: 'Rich text' } },
  { type: 'number', group: 'basic', title: { 'zh-CN': '数字', en: 'Number' } },
  { type: 'money', group: 'basic', title: { 'zh-CN': '金额', en: 'Money' } },
  { type: 'percent', group: 'basic', title: { 'zh-CN': '百分比', en: 'Percent' } },
  { type: 'date', group: 'basic', title: { 'zh-CN': '日期', en: 'Date' } },
  { type: 'datetime', group: 'basic', title: { 'zh-CN': '日期时间', en: 'Date and time' } },
  { type: 'checkbox', group: 'choice', title: { 'zh-CN': '复选框', en: 'Checkbox' } },
  { type: 'select', group: 'choice', title: { 'zh-CN': '单选', en: 'Single select' } },
  { type: 'multiselect', group: 'choice', title: { 'zh-CN': '多选', en: 'Multiple select' } },
  { type: 'phone', group: 'contact', title: { 'zh-CN': '电话', en: 'Phone' } },
  { type: 'email', group: 'contact', title: { 'zh-CN': '邮箱', en: 'Email' } },
  { type: 'idcard', group: 'contact', title: { 'zh-CN': '身份证号', en: 'Resident ID number' } },
  { type: 'address', group: 'contact', title: { 'zh-CN': '地址', en: 'Address' } },
  { type: 'attachment', group: 'media', title: { 'zh-CN': '附件', en: 'Attachment' } },
  { type: 'image', group: 'media', title: { 'zh-CN': '图片', en: 'Image' } },
  { type: 'relation', group: 'relation', title: { 'zh-CN': '关联记录', en: 'Relation' } },
  { type: 'user', group: 'relation', title: { 'zh-CN': '成员', en: 'User' } },
  { type: 'orgunit', group: 'relation', title: { 'zh-CN': '部门/门店', en: 'Org unit' } },
  { type: 'subtable', group: 'advanced', title: { 'zh-CN': '子表', en: 'Sub-table' } },
  { type: 'barcode', group: 'advanced', title: { 'zh-CN': '条码/二维码', en: 'Barcode' } },
  { type: 'geolocation', group: 'advanced', title: { 'zh-CN': '定位', en: 'Location' } },
  { type: 'formula', group: 'computed', title: { 'zh-CN': '公式', en: 'Formula' } },
  { type: 'lookup', group: 'computed', title: { 'zh-CN': '引用字段', en: 'Lookup' } },
  { type: 'rollup', group: 'computed', title: { 'zh-CN': '汇总', en: 'Rollup' } },
  { type: 'autonumber', group: 'computed', title: { 'zh-CN': '自动编号', en: 'Auto number' } },
];

const byType = new Map(PALETTE.map((p) => [p.type, p]));

/** The palette entry of a type; a type the palette does not know (a plugin's) is "advanced". */
export function paletteItem(type: string): PaletteItem {
  return byType.get(type) ?? { type, group: 'advanced', title: { 'zh-CN': type, en: type } };
}

/** The palette by group, in order; only types the UI can render (all of them, kept by the test). */
export function paletteGroups(): { group: PaletteGroup; items: PaletteItem[] }[] {
  const renderable = new Set(FIELD_TYPE_KEYS);
  return PALETTE_GROUPS.map((group) => ({ group, items: PALETTE.filter((p) => p.group === group && renderable.has(p.type)) }));
}
