import { Form, Input, InputNumber, Select } from 'antd';
import type { Definition } from '../../api/types';
import type { MessageKey } from '../../i18n/messages';
import { useI18n } from '../../i18n/useI18n';
import { LocalizedInput, joinParts, parts } from '../LocalizedInput';
import { problemsAt } from '../view/model';
import { BLOCK_TARGET, BLOCK_TYPES, GRID, type Block, type BlockType } from './model';

interface Props {
  block: Block;
  /** The block's index, for the paths of its problems. */
  index: number;
  /** The app's views, dashboards and reports a block can show. */
  targets: Record<'view' | 'dashboard' | 'report', Definition[]>;
  problems: { path: string; message: string }[];
  update: (patch: Partial<Block>, group?: string) => void;
  setType: (type: BlockType) => void;
  setConfig: (key: string, value: unknown, group?: string) => void;
  seal: () => void;
}

/** The settings of one block: id, type, title, width, and what its type shows. */
export function BlockEditor({ block, index, targets, problems, update, setType, setConfig, seal }: Props) {
  const { t, text } = useI18n();
  const at = `blocks[${index}]`;
  const status = (path: string) => {
    const msgs = problemsAt(problems, `${at}.${path}`);
    return msgs.length > 0 ? { validateStatus: 'error' as const, help: <span data-testid={`problem-${at}.${path}`}>{msgs.join('; ')}</span> } : {};
  };
  const kind = BLOCK_TARGET[block.type as BlockType];
  const md = parts(block.config?.markdown as never);
  return (
    <Form layout="vertical" size="small" component="div" data-testid={`block-editor-${index}`}>
      <Form.Item label={t('builder.page.type')} {...status('type')}>
        <Select value={block.type as BlockType} onChange={(v: BlockType) => setType(v)} options={BLOCK_TYPES.map((b) => ({ value: b, label: t(`builder.page.block.${b}` as MessageKey) }))} aria-label={t('builder.page.type')} />
      </Form.Item>
      <Form.Item label={t('builder.page.blockTitle')} {...status('title')}>
        <LocalizedInput value={block.title} onChange={(title) => update({ title }, `${at}:title`)} onBlur={seal} label={t('builder.page.blockTitle')} testId={`block-title-${index}`} />
      </Form.Item>
      <Form.Item label={t('builder.page.blockId')} {...status('id')}>
        <Input value={block.id ?? ''} onChange={(e) => update({ id: e.target.value }, `${at}:id`)} onBlur={seal} aria-label={t('builder.page.blockId')} />
      </Form.Item>
      <Form.Item label={t('builder.page.span')} extra={t('builder.page.spanHelp')} {...status('span')}>
        <InputNumber min={1} max={GRID} precision={0} value={block.span ?? GRID} onChange={(span) => update({ span: span ?? undefined }, `${at}:span`)} style={{ width: '100%' }} aria-label={t('builder.page.span')} />
      </Form.Item>
      {kind && (
        <Form.Item label={t(`builder.page.block.${kind}` as MessageKey)} {...status(`config.${kind}`)}>
          <Select
            showSearch
            optionFilterProp="label"
            value={typeof block.config?.[kind] === 'string' && block.config[kind] ? (block.config[kind] as string) : undefined}
            onChange={(key: string) => setConfig(kind, key)}
            options={targets[kind].map((d) => ({ value: d.key, label: text(d.spec.title) || d.key }))}
            aria-label={t(`builder.page.block.${kind}` as MessageKey)}
            data-testid={`block-target-${index}`}
          />
        </Form.Item>
      )}
      {block.type === 'text' && (
        <>
          <Form.Item label={t('builder.page.markdownZh')} extra={t('builder.page.markdownHelp')} {...status('config.markdown')}>
            <Input.TextArea autoSize={{ minRows: 3, maxRows: 12 }} value={md.zh} onChange={(e) => setConfig('markdown', joinParts(e.target.value, md.en, block.config?.markdown as never), `${at}:md`)} onBlur={seal} aria-label={t('builder.page.markdownZh')} data-testid={`block-markdown-${index}`} />
          </Form.Item>
          <Form.Item label={t('builder.page.markdownEn')}>
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 12 }} value={md.en} onChange={(e) => setConfig('markdown', joinParts(md.zh, e.target.value, block.config?.markdown as never), `${at}:md`)} onBlur={seal} aria-label={t('builder.page.markdownEn')} />
          </Form.Item>
        </>
      )}
      {block.type === 'link' && (
        <Form.Item label={t('builder.page.url')} extra={t('builder.page.urlHelp')} {...status('config.url')}>
          <Input value={typeof block.config?.url === 'string' ? block.config.url : ''} onChange={(e) => setConfig('url', e.target.value.trim(), `${at}:url`)} onBlur={seal} aria-label={t('builder.page.url')} />
        </Form.Item>
      )}
    </Form>
  );
}
