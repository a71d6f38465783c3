import type { Locale } from '../locale';
import { en } from './en';
import { zhCN, type Messages } from './zh-CN';

export type { MessageKey, Messages } from './zh-CN';

/** Every locale's messages. */
export const messages: Record<Locale, Messages> = { 'zh-CN': zhCN, en };
