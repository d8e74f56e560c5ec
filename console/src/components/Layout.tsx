import { lazy, Suspense, useEffect, useState } from 'react';
import { Navigate, NavLink, Route, Routes, useLocation, useMatch } from 'react-router';
import { describeViewer, useSession } from '../lib/session';
import { Loading } from './Loading';
import { PageLoadError } from './PageLoadError';
import { TestModeSwitch } from './TestModeSwitch';
import { Toasts } from './Toasts';

// Each page is its own chunk, fetched on first visit: signing in or opening the keys never downloads
// the other pages (nor their libraries, such as the chart's).
const AppSettingsPage = lazy(() => import('../pages/AppSettingsPage').then((m) => ({ default: m.AppSettingsPage })));
const AppsPage = lazy(() => import('../pages/AppsPage').then((m) => ({ default: m.AppsPage })));
const AuditPage = lazy(() => import('../pages/AuditPage').then((m) => ({ default: m.AuditPage })));
const GatewayPage = lazy(() => import('../pages/GatewayPage').then((m) => ({ default: m.GatewayPage })));
const KeyPage = lazy(() => import('../pages/KeyPage').then((m) => ({ default: m.KeyPage })));
const KeysPage = lazy(() => import('../pages/KeysPage').then((m) => ({ default: m.KeysPage })));
const PickAppPage = lazy(() => import('../pages/PickAppPage').then((m) => ({ default: m.PickAppPage })));
const RotationsPage = lazy(() => import('../pages/RotationsPage').then((m) => ({ default: m.RotationsPage })));
const SettingsPage = lazy(() => import('../pages/SettingsPage').then((m) => ({ default: m.SettingsPage })));
const UsagePage = lazy(() => import('../pages/UsagePage').then((m) => ({ default: m.UsagePage })));
const WebhooksPage = lazy(() => import('../pages/WebhooksPage').then((m) => ({ default: m.WebhooksPage })));

/**
 * Header (who you are, the mode, sign out), navigation offering only what the role may do, and the routes.
 * Loaded only once signed in (with the toasts, which only a signed-in viewer's actions raise).
 */
export function Layout() {
  const { viewer, mode, can, signOut, link } = useSession();
  const match = useMatch('/apps/:appId/*');
  const location = useLocation();
  // The app the app-level pages are about: the one in the URL, else the last one visited, else an app key's own.
  const [lastAppId, setLastAppId] = useState<string | null>(null);
  const urlAppId = match?.params.appId ?? null;
  useEffect(() => {
    if (urlAppId) setLastAppId(urlAppId);
  }, [urlAppId]);
  const appId = urlAppId ?? lastAppId ?? viewer.app?.id ?? null;
  // Without an app yet, an app-level link asks which app first (never a second link to /apps, which would also be "current").
  const appLink = (page: string) => link(appId ? `/apps/${appId}/${page}` : `/pick/${page}`);
  const home = viewer.type === 'ROOT' || !viewer.app ? '/apps' : `/apps/${viewer.app.id}/keys`;

  return (
    <Toasts>
      <div className={mode === 'TEST' ? 'shell test-mode' : 'shell'}>
        <header className="top">
          <span className="brand">Keygate Console</span>
          <span className="who" aria-label="Signed in as">
            {describeViewer(viewer)}
          </span>
          {/* GraphiQL, served at /graphql when the Sandbox setting is on; a new tab keeps the console's state. */}
          <a className="explorer" href="/graphql" target="_blank" rel="noopener noreferrer" title="Opens in a new tab">
            API explorer
          </a>
          <TestModeSwitch />
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </header>
        {mode === 'TEST' && (
          <p className="test-banner" role="status">
            Test mode: you are viewing test data. Test keys never touch live data.
          </p>
        )}
        <nav aria-label="Main">
          <NavLink to={link('/apps')} end>
            Apps
          </NavLink>
          {can('keys:read') && <NavLink to={appLink('keys')}>Keys</NavLink>}
          {can('usage:read') && <NavLink to={appLink('usage')}>Usage</NavLink>}
          {can('rotations:read') && <NavLink to={appLink('rotations')}>Rotations</NavLink>}
          {can('audit:read') && <NavLink to={appLink('audit')}>Audit log</NavLink>}
          {can('webhooks:read') && <NavLink to={appLink('webhooks')}>Webhooks</NavLink>}
          {can('gateway:read') && <NavLink to={appLink('gateway')}>Gateway</NavLink>}
          {(can('signing_keys:read') || (appId && can('apps:update'))) && <NavLink to={can('signing_keys:read') ? link('/settings') : appLink('settings')}>Settings</NavLink>}
        </nav>
        <main>
          <PageLoadError path={location.pathname}>
            <Suspense fallback={<Loading />}>
              <Routes>
                <Route path="/" element={<Navigate to={link(home)} replace />} />
                <Route path="/apps" element={<AppsPage />} />
                <Route path="/pick/:page" element={<PickAppPage />} />
                <Route path="/apps/:appId/keys" element={<KeysPage />} />
                <Route path="/apps/:appId/keys/:keyId" element={<KeyPage />} />
                <Route path="/apps/:appId/usage" element={<UsagePage />} />
                <Route path="/apps/:appId/rotations" element={<RotationsPage />} />
                <Route path="/apps/:appId/audit" element={<AuditPage />} />
                <Route path="/apps/:appId/webhooks" element={<WebhooksPage />} />
                <Route path="/apps/:appId/gateway" element={<GatewayPage />} />
                <Route path="/apps/:appId/settings" element={<AppSettingsPage />} />
                <Route path="/settings" element={<SettingsPage />} />
                <Route path="*" element={<h1>Not found</h1>} />
              </Routes>
            </Suspense>
          </PageLoadError>
        </main>
      </div>
    </Toasts>
  );
}
