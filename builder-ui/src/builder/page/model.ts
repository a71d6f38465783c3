import type { LocalizedText } from '../../api/types';

/** A block of a page (engine/meta/schemas/page.json). */
export interface Block {
  id?: string;
  type: string;
  title?: LocalizedText;
  /** Width on the 24-column grid; a phone shows every block full width. */
  span?: number;
  config?: Record<string, unknown>;
}

/** The spec of a page definition. */
export interface PageSpec {
  title: LocalizedText;
  description?: LocalizedText;
  icon?: string;
  blocks: Block[];
}

/**
 * The block types the page designer builds and the page renderer draws:
 * text (markdown in zh-CN and en), a list view, a dashboard, a report
 * (a KPI card is a report with a KPI chart), a link.
 */
export const BLOCK_TYPES = ['text', 'view', 'dashboard', 'report', 'link'] as const;

export type BlockType = (typeof BLOCK_TYPES)[number];

/** The definition kind a block of type shows, for the types that show one. */
export const BLOCK_TARGET: Partial<Record<BlockType, 'view' | 'dashboard' | 'report'>> = { view: 'view', dashboard: 'dashboard', report: 'report' };

/** At most this many blocks (page.json). */
export const MAX_BLOCKS = 200;
/** The grid's width: a block spans 1 to 24 columns. */
export const GRID = 24;

/** A block id (common.json identifier). */
export const BLOCK_ID = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** A fresh id for a block of type: text1, text2... the first not taken. */
export function freshId(blocks: readonly Block[], type: string): string {
  const taken = new Set(blocks.map((b) => b.id));
  const base = type.replace(/[^A-Za-z0-9_]/g, '_');
  for (let n = 1; ; n++) if (!taken.has(`${base}${n}`)) return `${base}${n}`;
}

/** A new block of type with its own id, full width, and the settings its type needs. */
export function newBlock(blocks: readonly Block[], type: BlockType): Block {
  const config: Record<string, unknown> = type === 'text' ? { markdown: { 'zh-CN': '', en: '' } } : type === 'link' ? { url: '' } : {};
  return { id: freshId(blocks, type), type, span: GRID, config };
}

/** The spec with block appended (no change when the page is full). */
export function addBlock(spec: PageSpec, block: Block): PageSpec {
  return spec.blocks.length >= MAX_BLOCKS ? spec : { ...spec, blocks: [...spec.blocks, block] };
}

/** The spec without its i-th block. */
export function removeBlock(spec: PageSpec, i: number): PageSpec {
  return { ...spec, blocks: spec.blocks.filter((_b, k) => k !== i) };
}

/** The spec with the block at from moved to to. */
export function moveBlock(spec: PageSpec, from: number, to: number): PageSpec {
  const n = spec.blocks.length;
  if (from < 0 || from >= n || to < 0 || to >= n || from === to) return spec;
  const blocks = [...spec.blocks];
  const [b] = blocks.splice(from, 1);
  blocks.splice(to, 0, b as Block);
  return { ...spec, blocks };
}

/** Where the item at i ends up when the item at from moves to to (a selection follows its block). */
export function movedIndex(i: number, from: number, to: number): number {
  if (i === from) return to;
  if (from < i && to >= i) return i - 1;
  if (from > i && to <= i) return i + 1;
  return i;
}

function clean<T extends object>(o: T): T {
  const out = { ...o } as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) if (v === undefined || v === '' || v === null) delete out[k];
  return out as T;
}

/** The spec with the i-th block changed by patch; undefined or empty values drop a setting. */
export function updateBlock(spec: PageSpec, i: number, patch: Partial<Block>): PageSpec {
  return { ...spec, blocks: spec.blocks.map((b, k) => (k === i ? clean({ ...b, ...patch }) : b)) };
}

/** The spec with one setting of the i-th block's config set (or dropped when empty). */
export function setConfig(spec: PageSpec, i: number, key: string, value: unknown): PageSpec {
  const b = spec.blocks[i];
  if (!b) return spec;
  return updateBlock(spec, i, { config: clean({ ...(b.config ?? {}), [key]: value }) });
}

/**
 * The spec with the i-th block turned into another type: its id, title
 * and width stay, its settings start over (they mean something else).
 */
export function setBlockType(spec: PageSpec, i: number, type: BlockType): PageSpec {
  const b = spec.blocks[i];
  if (!b || b.type === type) return spec;
  const fresh = newBlock([], type);
  return { ...spec, blocks: spec.blocks.map((x, k) => (k === i ? clean({ ...x, type, config: fresh.config }) : x)) };
}

/** A mistake the designer can see before the server does: code builder.page.problem.<code>, at path. */
export interface PageProblem {
  path: string;
  code: 'badId' | 'duplicateId' | 'noTarget' | 'unknownTarget' | 'noText' | 'badUrl' | 'unknownType';
  params?: Record<string, string>;
}

function hasText(v: unknown): boolean {
  if (typeof v === 'string') return v.trim() !== '';
  return typeof v === 'object' && v !== null && Object.values(v).some((s) => typeof s === 'string' && s.trim() !== '');
}

/** Whether url is a link a page may hold: http(s), or a path of this site. */
export function validUrl(url: unknown): boolean {
  return typeof url === 'string' && (/^https?:\/\/[^\s]+$/i.test(url) || /^\/[^\s/][^\s]*$|^\/$/.test(url));
}

/**
 * The problems of a page, each at the spec path the server would name:
 * ids missing, malformed or taken twice; a view, dashboard or report
 * block that shows nothing or a definition the app lacks; empty text; a
 * link that is no link; a type the renderer does not know. exists(kind,
 * key) answers for the definitions of the app, undefined while unknown.
 */
export function pageProblems(spec: PageSpec, exists?: (kind: string, key: string) => boolean | undefined): PageProblem[] {
  const out: PageProblem[] = [];
  const seen = new Set<string>();
  spec.blocks.forEach((b, i) => {
    const at = `blocks[${i}]`;
    if (!b.id || !BLOCK_ID.test(b.id)) out.push({ path: `${at}.id`, code: 'badId', params: { id: b.id ?? '' } });
    else if (seen.has(b.id)) out.push({ path: `${at}.id`, code: 'duplicateId', params: { id: b.id } });
    if (b.id) seen.add(b.id);
    if (!(BLOCK_TYPES as readonly string[]).includes(b.type)) {
      out.push({ path: `${at}.type`, code: 'unknownType', params: { type: b.type } });
      return;
    }
    const kind = BLOCK_TARGET[b.type as BlockType];
    if (kind) {
      const key = b.config?.[kind];
      if (typeof key !== 'string' || key === '') out.push({ path: `${at}.config.${kind}`, code: 'noTarget' });
      else if (exists?.(kind, key) === false) out.push({ path: `${at}.config.${kind}`, code: 'unknownTarget', params: { key } });
    }
    if (b.type === 'text' && !hasText(b.config?.markdown)) out.push({ path: `${at}.config.markdown`, code: 'noText' });
    if (b.type === 'link' && !validUrl(b.config?.url)) out.push({ path: `${at}.config.url`, code: 'badUrl' });
  });
  return out;
}

/** The runtime's address of what a block shows (a view, dashboard or report), if it shows one. */
export function blockPath(app: string, b: Block): string | undefined {
  const kind = BLOCK_TARGET[b.type as BlockType];
  const key = kind ? b.config?.[kind] : undefined;
  return kind && typeof key === 'string' && key ? `/apps/${encodeURIComponent(app)}/${kind}/${encodeURIComponent(key)}` : undefined;
}

/** One piece of a text block: a heading, a paragraph, or a bullet list. */
export type TextPiece = { kind: 'heading'; level: number; text: string } | { kind: 'para'; text: string } | { kind: 'list'; items: string[] };

/**
 * The pieces of a text block's markdown the page shows: "#" to "######"
 * headings, "-" or "*" bullet lists, and paragraphs separated by blank
 * lines (lines of one paragraph join with a space). Nothing is parsed as
 * HTML, so no text can inject markup.
 */
export function parseMarkdown(src: string): TextPiece[] {
  const out: TextPiece[] = [];
  let para: string[] = [];
  let list: string[] | undefined;
  const flush = () => {
    if (para.length > 0) out.push({ kind: 'para', text: para.join(' ') });
    para = [];
    if (list) out.push({ kind: 'list', items: list });
    list = undefined;
  };
  for (const raw of src.replace(/\r\n/g, '\n').split('\n')) {
    const line = raw.trim();
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    const li = /^[-*]\s+(.*)$/.exec(line);
    if (line === '') flush();
    else if (h) {
      flush();
      out.push({ kind: 'heading', level: h[1]!.length, text: h[2]!.trim() });
    } else if (li) {
      if (para.length > 0) flush();
      (list ??= []).push(li[1]!.trim());
    } else {
      if (list) flush();
      para.push(line);
    }
  }
  flush();
  return out;
}
