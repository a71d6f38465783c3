import { lazyPage } from '../layout/lazyPage';

// Pages load on first use, each in its own chunk (see lazyPage).
export const ListPage = lazyPage(() => import('./list/ListPage').then((m) => m.ListPage));
export const RecordFormPage = lazyPage(() => import('./form/RecordFormPage').then((m) => m.RecordFormPage));
export const RecordDetailPage = lazyPage(() => import('./detail/RecordDetailPage').then((m) => m.RecordDetailPage));
