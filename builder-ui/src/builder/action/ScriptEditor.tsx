import { theme } from 'antd';
import { useEffect, useMemo, useRef, type KeyboardEvent } from 'react';

/** A problem shown at a line of the script. */
export interface LineMark {
  line: number;
  message: string;
}

interface Props {
  value: string;
  onChange: (v: string) => void;
  onBlur?: () => void;
  marks: LineMark[];
  /** Scrolls to and selects a line; seq changes each time the same line is asked for again. */
  goTo?: { line: number; seq: number };
  label: string;
}

const LINE = 20; // px: the gutter and the text share it, so numbers stay beside their lines

/**
 * A plain code editor: a monospace textarea that does not wrap, with a
 * gutter of line numbers scrolled with it; lines with problems are marked
 * red in the gutter (their messages as tooltips). Tab inserts two spaces.
 */
export function ScriptEditor({ value, onChange, onBlur, marks, goTo, label }: Props) {
  const { token } = theme.useToken();
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const lines = useMemo(() => value.split('\n').length, [value]);
  const byLine = useMemo(() => new Map(marks.map((m) => [m.line, m.message])), [marks]);

  useEffect(() => {
    const el = area.current;
    if (!goTo || !el) return;
    const starts = [0];
    for (let i = 0; i < el.value.length; i++) if (el.value[i] === '\n') starts.push(i + 1);
    const start = starts[Math.min(goTo.line, starts.length) - 1] ?? 0;
    const end = el.value.indexOf('\n', start);
    el.focus();
    el.setSelectionRange(start, end < 0 ? el.value.length : end);
    el.scrollTop = Math.max(0, (goTo.line - 4) * LINE);
  }, [goTo]);

  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key !== 'Tab' || e.shiftKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    const el = e.currentTarget;
    const { selectionStart: s, selectionEnd: t } = el;
    onChange(el.value.slice(0, s) + '  ' + el.value.slice(t));
    requestAnimationFrame(() => el.setSelectionRange(s + 2, s + 2));
  };

  const font = { fontFamily: token.fontFamilyCode, fontSize: 13, lineHeight: `${LINE}px` };
  return (
    <div style={{ display: 'flex', border: `1px solid ${token.colorBorder}`, borderRadius: token.borderRadius, overflow: 'hidden', height: 420, maxWidth: '100%' }}>
      <div ref={gutter} aria-hidden style={{ ...font, overflow: 'hidden', background: token.colorFillQuaternary, color: token.colorTextTertiary, textAlign: 'right', userSelect: 'none', flex: 'none', paddingTop: 4 }}>
        {Array.from({ length: lines }, (_, i) => {
          const msg = byLine.get(i + 1);
          return (
            <div key={i} title={msg} data-testid={msg ? `script-mark-${i + 1}` : undefined} style={{ padding: '0 8px', minWidth: 40, height: LINE, ...(msg ? { background: token.colorErrorBg, color: token.colorError, fontWeight: 600 } : {}) }}>
              {i + 1}
            </div>
          );
        })}
        <div style={{ height: 40 }} />
      </div>
      <textarea
        ref={area}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onBlur={onBlur}
        onKeyDown={onKey}
        onScroll={(e) => {
          if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
        }}
        wrap="off"
        spellCheck={false}
        aria-label={label}
        data-testid="action-script"
        style={{ ...font, flex: 1, minWidth: 0, border: 'none', outline: 'none', resize: 'none', padding: '4px 8px', whiteSpace: 'pre', overflow: 'auto', background: token.colorBgContainer, color: token.colorText }}
      />
    </div>
  );
}
