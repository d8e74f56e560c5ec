import { useQuery } from 'urql';
import { FormError } from '../components/Field';
import { FieldRulesTable } from '../components/gateway/FieldRulesTable';
import { TrustedDocuments } from '../components/gateway/TrustedDocuments';
import { UpstreamDetails } from '../components/gateway/UpstreamDetails';
import { GatewayPageDocument } from '../gql/graphql';
import { describeError } from '../lib/errors';
import { useSession } from '../lib/session';
import { useAppId } from '../lib/useAppId';

/** The deployment's gateway as this app meets it: the upstream, which fields need which scopes, and the app's trusted documents. */
export function GatewayPage() {
  const appId = useAppId();
  const { can } = useSession();
  const [{ data, error, fetching }, refetch] = useQuery({ query: GatewayPageDocument, variables: { appId } });
  if (error) return <FormError message={describeError(error).message} />;
  if (!data) return fetching ? <p className="loading">Loading…</p> : null;
  const { gateway, app } = data;
  if (!app) return <p>No such app.</p>;
  return (
    <section className="gateway-page">
      <h1>Gateway of {app.name}</h1>
      <p className="hint">Your product’s GraphQL API at /gateway/graphql, behind this app’s keys and scopes.</p>
      {gateway.enabled ? (
        <>
          <UpstreamDetails gateway={gateway} />
          <FieldRulesTable rules={gateway.fieldRules} ready={gateway.ready} />
        </>
      ) : (
        <div className="panel">
          <h2>Not configured</h2>
          <p>
            This server runs no gateway. Set <code>KEYGATE_GATEWAY_UPSTREAM</code> to your GraphQL API’s URL (and <code>KEYGATE_GATEWAY_SCHEMA</code> to its SDL file, for field rules
            and costs), then restart Keygate. “Turning it on” in <code>docs/gateway.md</code> says more.
          </p>
        </div>
      )}
      {can('trusted_documents:read') && <TrustedDocuments app={app} onPolicyChanged={() => refetch({ requestPolicy: 'network-only' })} />}
    </section>
  );
}
