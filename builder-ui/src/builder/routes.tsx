import { lazyPage } from '../layout/lazyPage';

// Pages load on first use, each in its own chunk (see lazyPage).
export const BuilderHomePage = lazyPage(() => import('./BuilderHome').then((m) => m.BuilderHome));
export const BuilderDesignerPage = lazyPage(() => import('./DesignerPage').then((m) => m.DesignerPage));
