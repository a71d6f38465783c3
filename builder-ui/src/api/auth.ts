import { api } from './client';
import type { LoginResult, User } from './types';

export function login(username: string, password: string): Promise<LoginResult> {
  return api.post<LoginResult>('/api/auth/login', { username, password }, { unauthorizedEndsSession: false });
}

export function logout(): Promise<void> {
  return api.post<void>('/api/auth/logout', undefined, { unauthorizedEndsSession: false });
}

/** The signed-in user; a 401 here only means nobody is signed in yet. */
export function me(): Promise<User> {
  return api.get<User>('/api/auth/me', { unauthorizedEndsSession: false });
}

export function changePassword(oldPassword: string, newPassword: string): Promise<void> {
  return api.post<void>('/api/auth/password', { oldPassword, newPassword });
}
