const seg = encodeURIComponent;

/** The builder's route for a definition. */
export function designerPath(app: string, kind: string, key: string): string {
  return `/apps/${seg(app)}/builder/${seg(kind)}/${seg(key)}`;
}

/** The builder's start page of an app. */
export function builderPath(app: string): string {
  return `/apps/${seg(app)}/builder`;
}
