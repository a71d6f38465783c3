import { BoldOutlined, ItalicOutlined, OrderedListOutlined, UnderlineOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { Button, Flex, theme } from 'antd';
import { useEffect, useRef } from 'react';
import { Empty, isBlank } from './shared';
import type { DisplayProps, FieldTypeUI, InputProps } from './types';

const COMMANDS = [
  { cmd: 'bold', icon: <BoldOutlined /> },
  { cmd: 'italic', icon: <ItalicOutlined /> },
  { cmd: 'underline', icon: <UnderlineOutlined /> },
  { cmd: 'insertUnorderedList', icon: <UnorderedListOutlined /> },
  { cmd: 'insertOrderedList', icon: <OrderedListOutlined /> },
];

/**
 * A small editor over contentEditable. What it produces is only a
 * proposal: the server keeps an allowlist of tags and stores sanitized
 * HTML, which is what the display renders.
 */
function RichtextField({ value, onChange, disabled, id }: InputProps) {
  const ref = useRef<HTMLDivElement>(null);
  const { token } = theme.useToken();
  const html = typeof value === 'string' ? value : '';
  useEffect(() => {
    // Only outside changes (a restored draft) rewrite the DOM, so the caret stays put while typing.
    if (ref.current && ref.current.innerHTML !== html) ref.current.innerHTML = html;
  }, [html]);
  const emit = () => onChange(ref.current?.innerHTML ?? '');
  return (
    <div style={{ border: `1px solid ${token.colorBorder}`, borderRadius: token.borderRadius }}>
      <Flex gap={4} style={{ padding: 4, borderBottom: `1px solid ${token.colorBorderSecondary}` }}>
        {COMMANDS.map((c) => (
          <Button
            key={c.cmd}
            size="small"
            type="text"
            icon={c.icon}
            disabled={disabled}
            onMouseDown={(e) => {
              e.preventDefault();
              document.execCommand(c.cmd);
              emit();
            }}
          />
        ))}
      </Flex>
      <div
        id={id}
        ref={ref}
        role="textbox"
        aria-multiline="true"
        contentEditable={!disabled}
        suppressContentEditableWarning
        onInput={emit}
        style={{ minHeight: 96, padding: '4px 11px', outline: 'none' }}
      />
    </div>
  );
}

function RichtextDisplay({ value, ctx }: DisplayProps) {
  if (isBlank(value) || typeof value !== 'string') return <Empty />;
  if (ctx.compact) {
    // One line of text in tables and cards.
    const text = new DOMParser().parseFromString(value, 'text/html').body.textContent ?? '';
    return <span>{text.length > 80 ? `${text.slice(0, 80)}…` : text}</span>;
  }
  // Stored HTML is sanitized by the server (engine/form/fieldtype_richtext.go).
  return <div className="tg-richtext" dangerouslySetInnerHTML={{ __html: value }} />;
}

/** richtext: formatted text as sanitized HTML. */
export const richtext: FieldTypeUI = {
  key: 'richtext',
  stored: () => ({ kind: 'string' }),
  Input: RichtextField,
  Display: RichtextDisplay,
  // An editor left with only empty markup holds no text.
  toInput: (v) => (typeof v === 'string' && v.replace(/<[^>]*>|&nbsp;|\s/g, '') === '' ? null : v),
};
