import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { login, logout, me } from '../api/auth';
import { api } from '../api/client';
import type { User } from '../api/types';
import { AuthContext, type Auth } from './AuthContext';

/**
 * Finds out at start-up whether the browser has a session (the cookie is
 * HttpOnly, so only the server can tell) and ends it in the UI whenever an
 * authenticated call answers 401; RequireAuth then shows the sign-in page.
 */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [sessionEnded, setSessionEnded] = useState(false);

  useEffect(() => {
    let current = true;
    me().then(
      (u) => current && setUser(u),
      () => current && setUser(null),
    );
    api.onUnauthorized(() => {
      setUser(null);
      setSessionEnded(true);
    });
    return () => {
      current = false;
      api.onUnauthorized(undefined);
    };
  }, []);

  const signIn = useCallback(async (username: string, password: string) => {
    const res = await login(username, password);
    setSessionEnded(false);
    setUser(res.user);
  }, []);

  const signOut = useCallback(async () => {
    try {
      await logout();
    } finally {
      setSessionEnded(false);
      setUser(null);
    }
  }, []);

  const value = useMemo<Auth>(() => ({ user, sessionEnded, signIn, signOut }), [user, sessionEnded, signIn, signOut]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
