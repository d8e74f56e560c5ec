import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { AppForm, type AppFormValues } from '../components/AppForm';
import { Dialog } from '../components/Dialog';
import { FormError } from '../components/Field';
import { AppsDocument, CreateAppDocument } from '../gql/graphql';
import { formatDate } from '../lib/format';
import { useSession } from '../lib/session';
import { useApiErrors } from '../lib/useForm';
import { Pager, usePager } from '../components/Pager';
import { TableWrap } from '../components/TableWrap';

export function AppsPage() {
  const { can, link } = useSession();
  const pager = usePager();
  const [{ data, error }] = useQuery({ query: AppsDocument, variables: { first: 20, after: pager.after } });
  const [creating, setCreating] = useState(false);
  const apps = data?.apps;

  return (
    <section>
      <div className="page-head">
        <h1>Apps</h1>
        {can('apps:create') && (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            Create app
          </button>
        )}
      </div>
      {error && <FormError message={error.message} />}
      {apps && (
        <>
          <TableWrap label="Apps">
          <table>
            <caption className="visually-hidden">Apps</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">App id</th>
                <th scope="col">Allowed origins</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {apps.nodes.map((app) => (
                <tr key={app.id}>
                  <td>
                    <Link to={link(`/apps/${app.id}/keys`)}>{app.name}</Link>
                  </td>
                  <td>
                    <span className="mono truncate" title={app.id}>
                      {app.id}
                    </span>
                  </td>
                  <td className="wrap">{app.allowedOrigins.join(', ') || '—'}</td>
                  <td>{formatDate(app.createdAt)}</td>
                  <td>
                    {can('apps:update') && (
                      <Link to={link(`/apps/${app.id}/settings`)}>
                        Settings<span className="visually-hidden"> of {app.name}</span>
                      </Link>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          </TableWrap>
          {apps.nodes.length === 0 && <p>No apps yet.</p>}
          <Pager pager={pager} pageInfo={apps.pageInfo} total={apps.totalCount} />
        </>
      )}
      {creating && <CreateAppDialog onClose={() => setCreating(false)} />}
    </section>
  );
}

function CreateAppDialog({ onClose }: { onClose(): void }) {
  const [{ fetching }, createApp] = useMutation(CreateAppDocument);
  const errors = useApiErrors();
  const navigate = useNavigate();
  const { link } = useSession();
  const submit = async (values: AppFormValues) => {
    errors.clear();
    const result = await createApp({ input: values });
    if (result.error) return errors.show(result.error);
    if (result.data) navigate(link(`/apps/${result.data.createApp.id}/keys`));
  };
  return (
    <Dialog title="Create app" onClose={onClose}>
      <FormError message={errors.formError} />
      <AppForm submitLabel="Create app" busy={fetching} fieldError={errors.fieldError} onInvalid={errors.showFields} onSubmit={(v) => void submit(v)} onCancel={onClose} />
    </Dialog>
  );
}
