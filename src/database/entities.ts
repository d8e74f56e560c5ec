import { App } from '../modules/apps/app.entity';
import { AuditEvent } from '../modules/audit/audit-event.entity';
import { RootKey } from '../modules/auth/root-key.entity';
import { ApiKey } from '../modules/keys/api-key.entity';
import { Rotation } from '../modules/rotations/rotation.entity';
import { SigningKey } from '../modules/sessions/signing-key.entity';
import { KeyUsage } from '../modules/usage/key-usage.entity';
import { OperationUsage } from '../modules/usage/operation-usage.entity';
import { AuditChainHead } from '../modules/audit/audit-chain';
import { CreditBalance } from '../modules/credits/credit-balance.entity';
import { ConsoleSession } from '../modules/console/console-session.entity';
import { WebhookDelivery } from '../modules/webhooks/webhook-delivery.entity';
import { WebhookEndpoint } from '../modules/webhooks/webhook-endpoint.entity';
import { WebhookEvent } from '../modules/webhooks/webhook-event.entity';
import { TrustedDocument } from '../modules/gateway/trusted-document.entity';
import { Setting } from './setting.entity';

/** Every entity, in one list the ORM and the migration check share. */
export const ENTITIES = [App, ApiKey, RootKey, AuditEvent, AuditChainHead, Rotation, SigningKey, KeyUsage, OperationUsage, CreditBalance, ConsoleSession, WebhookEndpoint, WebhookEvent, WebhookDelivery, TrustedDocument, Setting];
