import { TextDisplay } from './shared';
import type { FieldTypeUI } from './types';

/** autonumber: a number the server gives each new record (VIP-2026-000123). */
export const autonumber: FieldTypeUI = {
  key: 'autonumber',
  computed: true,
  stored: () => ({ kind: 'string' }),
  Display: TextDisplay,
};
