import { Flex, Input } from 'antd';
import type { LocalizedText } from '../api/types';

/** The zh-CN and en parts of a localized text; a plain string counts as zh-CN. */
export function parts(v: LocalizedText | undefined): { zh: string; en: string } {
  if (v === undefined) return { zh: '', en: '' };
  if (typeof v === 'string') return { zh: v, en: '' };
  return { zh: v['zh-CN'] ?? '', en: v.en ?? '' };
}

/** A localized text from its parts: only the languages filled in, undefined when none is. */
export function joinParts(zh: string, en: string, keep?: LocalizedText): LocalizedText | undefined {
  const out: Record<string, string> = typeof keep === 'object' ? { ...keep } : {};
  delete out['zh-CN'];
  delete out.en;
  if (zh) out['zh-CN'] = zh;
  if (en) out.en = en;
  return Object.keys(out).length > 0 ? out : undefined;
}

interface Props {
  value: LocalizedText | undefined;
  onChange: (v: LocalizedText | undefined) => void;
  onBlur?: () => void;
  /** The label of the pair, for the inputs' aria labels ("标题 (中文)"). */
  label: string;
  testId?: string;
}

/** Two inputs, Chinese and English, for one localized text; other languages are kept. */
export function LocalizedInput({ value, onChange, onBlur, label, testId }: Props) {
  const { zh, en } = parts(value);
  return (
    <Flex vertical gap={4}>
      <Input
        addonBefore="中"
        value={zh}
        onChange={(e) => onChange(joinParts(e.target.value, en, value))}
        onBlur={onBlur}
        aria-label={`${label} (中文)`}
        data-testid={testId ? `${testId}-zh` : undefined}
      />
      <Input
        addonBefore="EN"
        value={en}
        onChange={(e) => onChange(joinParts(zh, e.target.value, value))}
        onBlur={onBlur}
        aria-label={`${label} (English)`}
        data-testid={testId ? `${testId}-en` : undefined}
      />
    </Flex>
  );
}
