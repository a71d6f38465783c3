import { Card, Drawer, Grid } from 'antd';
import type { ReactNode } from 'react';

/**
 * Whether the screen is narrower than antd's md breakpoint (768 px, a
 * phone): designers then open their palettes and property panels as
 * drawers instead of columns beside the canvas. Before the first
 * measurement the screen counts as wide, so desktop layouts never flash.
 */
export function useNarrow(): boolean {
  return Grid.useBreakpoint().md === false;
}

interface Props {
  narrow: boolean;
  /** Whether the drawer is open (ignored on a wide screen, where the panel always shows). */
  open: boolean;
  onClose: () => void;
  title?: ReactNode;
  /** The column's width on a wide screen. */
  width: number;
  /** Which side the drawer comes from on a phone. */
  placement?: 'left' | 'right';
  /** The column stays in view (and scrolls inside itself) while the canvas scrolls. */
  sticky?: boolean;
  testId?: string;
  children: ReactNode;
}

/**
 * A designer's side panel (palette, properties): a column beside the canvas
 * on a wide screen; on a phone a drawer over the canvas, so nothing is
 * squeezed into a sliver or pushes the page sideways.
 */
export function SidePanel({ narrow, open, onClose, title, width, placement = 'right', sticky, testId, children }: Props) {
  if (!narrow) {
    return (
      <Card size="small" title={title} style={{ width, flex: 'none', ...(sticky ? { maxHeight: 'calc(100vh - 180px)', overflow: 'auto', position: 'sticky', top: 72 } : {}) }} data-testid={testId}>
        {children}
      </Card>
    );
  }
  return (
    <Drawer open={open} onClose={onClose} title={title} placement={placement} width={placement === 'left' ? 280 : '100%'} styles={{ body: { padding: 12 } }}>
      <div data-testid={testId}>{children}</div>
    </Drawer>
  );
}
