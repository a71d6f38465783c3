import { createContext } from 'react';
import type { User } from '../api/types';

/** The session as the UI sees it. */
export interface Auth {
  /** undefined while the start-up probe runs, null when nobody is signed in. */
  user: User | null | undefined;
  /** Set when the server ended the session (a 401 on an authenticated call). */
  sessionEnded: boolean;
  signIn: (username: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
}

export const AuthContext = createContext<Auth | null>(null);
