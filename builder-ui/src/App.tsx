import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { AntdProvider } from './AntdProvider';
import { AuthProvider } from './auth/AuthProvider';
import { DashboardPage, InboxPage, InboxShell, ReportPage } from './dashboards/routes';
import { BuilderDesignerPage, BuilderHomePage, PageScreenPage } from './builder/routes';
import { RequireAuth } from './auth/RequireAuth';
import { I18nProvider } from './i18n/I18nProvider';
import { AppLayout } from './layout/AppLayout';
import { AppHomePage } from './pages/AppHomePage';
import { AppListPage } from './pages/AppListPage';
import { ListPage, RecordDetailPage, RecordFormPage } from './records/routes';
import { DefinitionPage } from './pages/DefinitionPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { SignInPage } from './pages/SignInPage';

/** The runtime shell: sign-in, app switcher, and each app with its menu. */
export function App() {
  return (
    <I18nProvider>
      <AntdProvider>
        <BrowserRouter>
          <AuthProvider>
            <Routes>
              <Route path="/sign-in" element={<SignInPage />} />
              <Route
                path="/"
                element={
                  <RequireAuth>
                    <AppListPage />
                  </RequireAuth>
                }
              />
              <Route
                path="/inbox"
                element={
                  <RequireAuth>
                    <InboxShell />
                  </RequireAuth>
                }
              />
              <Route
                path="/apps/:app"
                element={
                  <RequireAuth>
                    <AppLayout />
                  </RequireAuth>
                }
              >
                <Route index element={<AppHomePage />} />
                <Route path="view/:view" element={<ListPage />} />
                <Route path="form/:form" element={<ListPage />} />
                <Route path="form/:form/new" element={<RecordFormPage />} />
                <Route path="form/:form/records/:id" element={<RecordDetailPage />} />
                <Route path="form/:form/records/:id/edit" element={<RecordFormPage />} />
                <Route path="builder" element={<BuilderHomePage />} />
                <Route path="builder/:kind/:key" element={<BuilderDesignerPage />} />
                <Route path="inbox" element={<InboxPage />} />
                <Route path="dashboard/:key" element={<DashboardPage />} />
                <Route path="report/:key" element={<ReportPage />} />
                <Route path="page/:key" element={<PageScreenPage />} />
                <Route path=":kind/:key" element={<DefinitionPage />} />
              </Route>
              <Route path="*" element={<NotFoundPage />} />
            </Routes>
          </AuthProvider>
        </BrowserRouter>
      </AntdProvider>
    </I18nProvider>
  );
}
