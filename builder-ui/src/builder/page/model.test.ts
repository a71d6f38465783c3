import { describe, expect, it } from 'vitest';
import { repoFile } from '../testing/goSource';
import { addBlock, blockPath, freshId, MAX_BLOCKS, moveBlock, movedIndex, newBlock, pageProblems, parseMarkdown, removeBlock, setBlockType, setConfig, updateBlock, validUrl, type PageSpec } from './model';

const page = (blocks: PageSpec['blocks']): PageSpec => ({ title: '首页', blocks });

describe('blocks', () => {
  it('gives new blocks fresh ids and the settings their type needs', () => {
    const s = page([{ id: 'text1', type: 'text' }]);
    expect(freshId(s.blocks, 'text')).toBe('text2');
    expect(newBlock(s.blocks, 'text')).toEqual({ id: 'text2', type: 'text', span: 24, config: { markdown: { 'zh-CN': '', en: '' } } });
    expect(newBlock([], 'link').config).toEqual({ url: '' });
    expect(newBlock([], 'view')).toEqual({ id: 'view1', type: 'view', span: 24, config: {} });
  });
  it('adds, moves and removes blocks; a full page takes no more', () => {
    let s = page([]);
    for (const t of ['text', 'view', 'link'] as const) s = addBlock(s, newBlock(s.blocks, t));
    expect(s.blocks.map((b) => b.id)).toEqual(['text1', 'view1', 'link1']);
    s = moveBlock(s, 2, 0);
    expect(s.blocks.map((b) => b.id)).toEqual(['link1', 'text1', 'view1']);
    expect(moveBlock(s, 0, 9)).toBe(s);
    s = removeBlock(s, 1);
    expect(s.blocks.map((b) => b.id)).toEqual(['link1', 'view1']);
    const full = page(Array.from({ length: MAX_BLOCKS }, (_x, i) => ({ id: `b${i}`, type: 'text' })));
    expect(addBlock(full, newBlock(full.blocks, 'text'))).toBe(full);
  });
  it('keeps a selection on its block when another moves past it', () => {
    // Blocks a b c d, b selected (1).
    expect(movedIndex(1, 1, 3)).toBe(3);
    expect(movedIndex(1, 0, 2)).toBe(0);
    expect(movedIndex(1, 3, 0)).toBe(2);
    expect(movedIndex(1, 2, 3)).toBe(1);
    expect(movedIndex(1, 0, 1)).toBe(0);
  });
  it('updates settings and drops the emptied ones', () => {
    let s = page([{ id: 'v', type: 'view', title: '会员', span: 12, config: {} }]);
    s = setConfig(s, 0, 'view', 'members-vip');
    expect(s.blocks[0]?.config).toEqual({ view: 'members-vip' });
    s = setConfig(s, 0, 'view', '');
    expect(s.blocks[0]?.config).toEqual({});
    s = updateBlock(s, 0, { title: undefined, span: 8 });
    expect(s.blocks[0]).toEqual({ id: 'v', type: 'view', span: 8, config: {} });
    expect(setConfig(s, 5, 'view', 'x')).toBe(s);
  });
  it('changes a type keeping id, title and width, settings starting over', () => {
    const s = page([{ id: 'a', type: 'view', title: 'T', span: 12, config: { view: 'x' } }]);
    expect(setBlockType(s, 0, 'text').blocks[0]).toEqual({ id: 'a', type: 'text', title: 'T', span: 12, config: { markdown: { 'zh-CN': '', en: '' } } });
    expect(setBlockType(s, 0, 'view')).toBe(s);
  });
  it('addresses what a block shows in the runtime', () => {
    expect(blockPath('crm', { type: 'view', config: { view: 'members vip' } })).toBe('/apps/crm/view/members%20vip');
    expect(blockPath('crm', { type: 'dashboard', config: { dashboard: 'hq' } })).toBe('/apps/crm/dashboard/hq');
    expect(blockPath('crm', { type: 'view', config: {} })).toBeUndefined();
    expect(blockPath('crm', { type: 'text', config: { markdown: 'x' } })).toBeUndefined();
  });
});

describe('problems', () => {
  it('names bad and repeated ids, missing targets, empty text, bad links and unknown types', () => {
    const s = page([
      { id: 'a', type: 'text', config: { markdown: { 'zh-CN': ' ', en: '' } } },
      { id: 'a', type: 'view', config: {} },
      { id: '1x', type: 'dashboard', config: { dashboard: 'gone' } },
      { type: 'link', config: { url: 'javascript:alert(1)' } },
      { id: 'k', type: 'chart.kpi' },
      { id: 'ok', type: 'report', config: { report: 'sales' } },
    ]);
    const exists = (kind: string, key: string) => !(kind === 'dashboard' && key === 'gone');
    expect(pageProblems(s, exists)).toEqual([
      { path: 'blocks[0].config.markdown', code: 'noText' },
      { path: 'blocks[1].id', code: 'duplicateId', params: { id: 'a' } },
      { path: 'blocks[1].config.view', code: 'noTarget' },
      { path: 'blocks[2].id', code: 'badId', params: { id: '1x' } },
      { path: 'blocks[2].config.dashboard', code: 'unknownTarget', params: { key: 'gone' } },
      { path: 'blocks[3].id', code: 'badId', params: { id: '' } },
      { path: 'blocks[3].config.url', code: 'badUrl' },
      { path: 'blocks[4].type', code: 'unknownType', params: { type: 'chart.kpi' } },
    ]);
    // Without the app's definitions known, targets are not judged.
    expect(pageProblems(page([{ id: 'd', type: 'dashboard', config: { dashboard: 'gone' } }]))).toEqual([]);
  });
  it('takes http(s) addresses and paths of the site as links', () => {
    expect(validUrl('https://example.com/a?b=1')).toBe(true);
    expect(validUrl('/apps/crm/view/members-all')).toBe(true);
    expect(validUrl('/')).toBe(true);
    expect(validUrl('//evil.example')).toBe(false);
    expect(validUrl('javascript:alert(1)')).toBe(false);
    expect(validUrl('')).toBe(false);
    expect(validUrl(42)).toBe(false);
  });
});

describe('markdown', () => {
  it('splits headings, paragraphs and lists, and never makes markup', () => {
    expect(parseMarkdown('## 会员运营\n等级与积分\n都可编辑。\n\n- 一\n* 二\n正文 <b>x</b>\r\n#不是标题')).toEqual([
      { kind: 'heading', level: 2, text: '会员运营' },
      { kind: 'para', text: '等级与积分 都可编辑。' },
      { kind: 'list', items: ['一', '二'] },
      { kind: 'para', text: '正文 <b>x</b> #不是标题' },
    ]);
    expect(parseMarkdown('')).toEqual([]);
  });
});

describe('the shipped pages', () => {
  it('have no problems and only block types the designer builds', () => {
    for (const name of ['hq-home', 'store-home']) {
      const p = JSON.parse(repoFile(`templates/core/pages/${name}.json`)) as PageSpec;
      expect(pageProblems(p), name).toEqual([]);
    }
  });
});
