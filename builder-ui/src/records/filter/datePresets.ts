import dayjs, { type Dayjs } from 'dayjs';
import type { DatePreset } from './model';

/** The first and last day of a preset, in the browser's time zone; weeks start on Monday. */
export function presetRange(preset: DatePreset, now: Date): [Dayjs, Dayjs] {
  const today = dayjs(now).startOf('day');
  switch (preset) {
    case 'today':
      return [today, today];
    case 'yesterday':
      return [today.subtract(1, 'day'), today.subtract(1, 'day')];
    case 'last7Days':
      return [today.subtract(6, 'day'), today];
    case 'last30Days':
      return [today.subtract(29, 'day'), today];
    case 'thisWeek': {
      const monday = today.subtract((today.day() + 6) % 7, 'day');
      return [monday, monday.add(6, 'day')];
    }
    case 'thisMonth':
      return [today.startOf('month'), today.endOf('month').startOf('day')];
    case 'lastMonth': {
      const m = today.subtract(1, 'month');
      return [m.startOf('month'), m.endOf('month').startOf('day')];
    }
    case 'thisYear':
      return [today.startOf('year'), today.endOf('year').startOf('day')];
  }
}
