import { useState, type ReactNode } from 'react';
import { NavLink, useNavigate } from 'react-router';
import { useSession, useSignedIn } from '../auth/session';
import { homeFor, NAV, ROLE_LABELS } from '../auth/roles';

/** Header (tenant switcher, who is signed in), role-aware navigation, and the page. */
export function Layout({ children }: { children: ReactNode }) {
  const session = useSignedIn();
  const { me, logout, switchTenant } = useSession();
  const navigate = useNavigate();
  const [switching, setSwitching] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  const tenant = session.memberships.find((m) => m.tenantId === session.tenantId);
  const items = NAV.filter((item) => item.visible(session.role));

  async function onSwitch(tenantId: string) {
    setSwitching(true);
    try {
      await switchTenant(tenantId);
      const membership = session.memberships.find((m) => m.tenantId === tenantId);
      navigate(homeFor(membership?.role ?? session.role));
    } finally {
      setSwitching(false);
    }
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand" aria-label="Meridian">
          <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
            <circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" strokeWidth="2" />
            <path d="M12 2v20M2 12h20" stroke="currentColor" strokeWidth="1.5" />
          </svg>
          Meridian
        </span>
        <button type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls="primary-nav" onClick={() => setMenuOpen((open) => !open)}>
          Menu
        </button>
        <div className="topbar-right">
          {session.memberships.length > 1 ? (
            <label className="tenant-switcher">
              <span>Tenant</span>
              <select value={session.tenantId} disabled={switching} onChange={(event) => void onSwitch(event.target.value)}>
                {session.memberships.map((m) => (
                  <option key={m.tenantId} value={m.tenantId}>
                    {m.tenantName}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <span className="tenant-name" data-testid="tenant-name">
              {tenant?.tenantName}
            </span>
          )}
          <NavLink to="/account" className="whoami" aria-label={`Account: ${me?.displayName ?? me?.email ?? ''}`}>
            {me?.displayName ?? me?.email ?? ''} <span className="role">{ROLE_LABELS[session.role]}</span>
          </NavLink>
          <button
            type="button"
            className="button secondary"
            onClick={() => {
              void logout();
              navigate('/login');
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <nav id="primary-nav" aria-label="Main" className={menuOpen ? 'nav open' : 'nav'}>
        <ul>
          {items.map((item) => (
            <li key={item.to}>
              <NavLink to={item.to} onClick={() => setMenuOpen(false)}>
                {item.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      {/* Keyed by tenant: switching tenants remounts the page, so nothing of the previous tenant lingers. */}
      <main id="main" tabIndex={-1} key={session.tenantId}>
        {children}
      </main>
    </div>
  );
}
