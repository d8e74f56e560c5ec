import { Link, Navigate, useParams } from 'react-router';
import { useQuery } from 'urql';
import { FormError } from '../components/Field';
import { AppsDocument } from '../gql/graphql';
import { describeError } from '../lib/errors';
import { useSession } from '../lib/session';

const PAGES: Record<string, string> = { keys: 'Keys', usage: 'Usage', rotations: 'Rotations', audit: 'Audit log', webhooks: 'Webhooks', gateway: 'Gateway', settings: 'Settings' };

/** "Keys" (or another app-level page) chosen before any app: the one app, or a choice of them. */
export function PickAppPage() {
  const { page = 'keys' } = useParams();
  const { link } = useSession();
  const [{ data, error }] = useQuery({ query: AppsDocument, variables: { first: 100 } });
  const apps = data?.apps.nodes;
  const title = PAGES[page] ?? 'Not found';
  if (apps?.length === 1) return <Navigate to={link(`/apps/${apps[0].id}/${page}`)} replace />;
  return (
    <section>
      <h1>{title}: choose an app</h1>
      <FormError message={error ? describeError(error).message : null} />
      {apps?.length === 0 && (
        <p>
          No apps yet. <Link to={link('/apps')}>Create one on the Apps page.</Link>
        </p>
      )}
      <ul className="app-list">
        {apps?.map((app) => (
          <li key={app.id}>
            <Link to={link(`/apps/${app.id}/${page}`)}>{app.name}</Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
