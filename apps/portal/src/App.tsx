import type { ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import type { Role } from './api/types';
import { can, homeFor } from './auth/roles';
import { SessionProvider, useSession } from './auth/session';
import { Layout } from './ui/Layout';
import { AccountPage } from './pages/AccountPage';
import { AuditEventPage } from './pages/AuditEventPage';
import { AuditPage } from './pages/AuditPage';
import { ConsentPage } from './pages/ConsentPage';
import { FleetPage } from './pages/FleetPage';
import { GovernancePage } from './pages/GovernancePage';
import { LoginPage } from './pages/LoginPage';
import { ModelsPage } from './pages/ModelsPage';
import { NodePage } from './pages/NodePage';
import { PeoplePage } from './pages/PeoplePage';
import { ApiKeysPage } from './pages/ApiKeysPage';
import { SitePage } from './pages/SitePage';
import { Empty } from './ui/states';

/** Signed in and allowed: the page; signed out: the login page; wrong role: a plain refusal. */
function Guard({ allow, children }: { allow: (role: Role) => boolean; children: ReactNode }) {
  const { session } = useSession();
  if (!session) return <Navigate to="/login" replace />;
  return <Layout>{allow(session.role) ? children : <Empty>Your role does not give access to this page.</Empty>}</Layout>;
}

function Home() {
  const { session } = useSession();
  return <Navigate to={session ? homeFor(session.role) : '/login'} replace />;
}

export function App() {
  return (
    <SessionProvider>
      <BrowserRouter>
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route path="/" element={<Home />} />
          <Route path="/fleet" element={<Guard allow={can.seeFleet}><FleetPage /></Guard>} />
          <Route path="/sites/:siteId" element={<Guard allow={can.seeFleet}><SitePage /></Guard>} />
          <Route path="/nodes/:nodeId" element={<Guard allow={can.seeFleet}><NodePage /></Guard>} />
          <Route path="/governance" element={<Guard allow={can.seeGovernance}><GovernancePage /></Guard>} />
          <Route path="/consent" element={<Guard allow={can.seeConsent}><ConsentPage /></Guard>} />
          <Route path="/models" element={<Guard allow={can.seeModels}><ModelsPage /></Guard>} />
          <Route path="/audit" element={<Guard allow={can.seeAudit}><AuditPage /></Guard>} />
          <Route path="/audit/events/:sourceId/:seq" element={<Guard allow={can.seeAudit}><AuditEventPage /></Guard>} />
          <Route path="/people" element={<Guard allow={can.manageUsers}><PeoplePage /></Guard>} />
          <Route path="/api-keys" element={<Guard allow={can.manageApiKeys}><ApiKeysPage /></Guard>} />
          <Route path="/account" element={<Guard allow={() => true}><AccountPage /></Guard>} />
          <Route path="*" element={<Guard allow={() => true}><Empty>No page here. Use the navigation above.</Empty></Guard>} />
        </Routes>
      </BrowserRouter>
    </SessionProvider>
  );
}
