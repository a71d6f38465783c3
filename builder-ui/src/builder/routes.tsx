import { lazyPage } from '../layout/lazyPage';

// Pages load on first use, each in its own chunk (see lazyPage).
export const BuilderHomePage = lazyPage(() => import('./BuilderHome').then((m) => m.BuilderHome));
export const BuilderDesignerPage = lazyPage(() => import('./DesignerPage').then((m) => m.DesignerPage));
/** The runtime's page (/apps/:app/page/:key): its blocks, drawn like the page designer's preview. */
export const PageScreenPage = lazyPage(() => import('./page/PageScreen').then((m) => m.PageScreen));
