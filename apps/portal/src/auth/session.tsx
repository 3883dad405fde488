import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api, call, refreshSession, setTokenSource } from '../api/client';
import type { Me, Session } from '../api/types';

interface StoredSession {
  session: Session;
  /** When the access token lapses (ms since epoch). */
  expiresAt: number;
}

interface SessionContextValue {
  session: Session | undefined;
  me: Me | undefined;
  login(email: string, password: string): Promise<void>;
  logout(): Promise<void>;
  switchTenant(tenantId: string): Promise<void>;
}

const STORAGE_KEY = 'meridian.session';
/** Refresh this long before the access token lapses. */
const REFRESH_MARGIN_MS = 60_000;
const SessionContext = createContext<SessionContextValue | undefined>(undefined);

function load(): StoredSession | undefined {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as StoredSession) : undefined;
  } catch {
    return undefined;
  }
}

function store(session: Session | undefined): StoredSession | undefined {
  if (!session) {
    sessionStorage.removeItem(STORAGE_KEY);
    return undefined;
  }
  const stored = { session, expiresAt: Date.now() + session.expiresIn * 1000 };
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
  return stored;
}

/** Holds the signed-in session (per browser tab), refreshes it before it lapses, and drops it on a 401. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [stored, setStored] = useState<StoredSession | undefined>(load);
  const [me, setMe] = useState<Me | undefined>();
  const current = useRef(stored);
  current.current = stored;
  const refreshing = useRef<Promise<string | undefined> | undefined>(undefined);

  const replace = useCallback((session: Session | undefined) => {
    const next = store(session);
    current.current = next;
    setStored(next);
  }, []);

  // Installed during the first render, before any page (a child, whose effects run first) calls the API.
  const installed = useRef(false);
  if (!installed.current) {
    installed.current = true;
    setTokenSource({
      accessToken: async () => {
        const now = current.current;
        if (!now) return undefined;
        if (now.expiresAt - Date.now() > REFRESH_MARGIN_MS) return now.session.accessToken;
        refreshing.current ??= refreshSession(now.session.refreshToken)
          .then((fresh) => {
            replace(fresh);
            return fresh.accessToken;
          })
          .catch(() => {
            replace(undefined);
            return undefined;
          })
          .finally(() => {
            refreshing.current = undefined;
          });
        return refreshing.current;
      },
      expired: (token) => {
        if (current.current?.session.accessToken === token) replace(undefined);
      },
    });
  }

  const tenantId = stored?.session.tenantId;
  useEffect(() => {
    setMe(undefined);
    if (!tenantId) return;
    let live = true;
    call(api.GET('/v1/auth/me')).then((value) => live && setMe(value), () => undefined);
    return () => {
      live = false;
    };
  }, [tenantId]);

  const value = useMemo<SessionContextValue>(
    () => ({
      session: stored?.session,
      me,
      async login(email, password) {
        replace(await call(api.POST('/v1/auth/login', { body: { email, password } })));
      },
      async logout() {
        const refreshToken = current.current?.session.refreshToken;
        replace(undefined);
        if (refreshToken) await api.POST('/v1/auth/logout', { body: { refreshToken } }).catch(() => undefined);
      },
      async switchTenant(tenantId) {
        replace(await call(api.POST('/v1/auth/switch-tenant', { body: { tenantId } })));
      },
    }),
    [stored, me, replace],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in session; only for pages behind the login gate. */
export function useSignedIn(): Session {
  const { session } = useSession();
  if (!session) throw new Error('page rendered without a session');
  return session;
}
