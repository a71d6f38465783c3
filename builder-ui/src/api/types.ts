/** Text in one language, or translations keyed by locale ("zh-CN", "en"). */
export type LocalizedText = string | Record<string, string>;

/** What a menu item of an app opens. */
export interface MenuTarget {
  kind: 'view' | 'page' | 'dashboard' | 'form' | 'report';
  key: string;
}

/** One entry of an app's navigation (engine/meta/schemas/app.json). */
export interface MenuItem {
  key: string;
  title: LocalizedText;
  icon?: string;
  target?: MenuTarget;
  url?: string;
  roles?: string[];
  children?: MenuItem[];
}

/** The spec of an app definition. */
export interface AppSpec {
  title: LocalizedText;
  description?: LocalizedText;
  icon?: string;
  color?: string;
  defaultLocale?: 'zh-CN' | 'en';
  homePage?: MenuTarget;
  navigation?: MenuItem[];
}

/** The spec fields every kind shares; the rest depends on the kind. */
export interface TitledSpec {
  title?: LocalizedText;
  description?: LocalizedText;
  icon?: string;
  [field: string]: unknown;
}

/** A stored definition revision, as the meta API returns it. */
export interface Definition<S = TitledSpec> {
  kind: string;
  app: string;
  key: string;
  schemaVersion: number;
  version: number;
  status: 'draft' | 'published' | 'superseded';
  spec: S;
  updatedBy?: string;
  updatedAt?: string;
  publishedAt?: string;
}

/** A role assigned to a user in one app. */
export interface RoleRef {
  app: string;
  role: string;
}

/** The signed-in user (GET /api/auth/me). */
export interface User {
  id: string;
  username: string;
  displayName: string;
  admin: boolean;
  memberships: { unitId: string; position: string }[];
  roles: RoleRef[];
}

/** The answer of POST /api/auth/login. */
export interface LoginResult {
  token: string;
  csrfToken: string;
  expiresAt: string;
  user: User;
}
