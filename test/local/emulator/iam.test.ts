/**
 * The emulator's simulated IAM per caller: identity policies keyed by the access key id that
 * signs the request, for the flow operations and S3.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AccessDeniedException, GetWhatsAppFlowCommand, ListWhatsAppFlowsCommand, SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { FlowEmulator } from '../../../local/emulator';
import { OTHER_WABA, rejection, WABA, WABA_ARN, WABA_HEX } from './support';

const ROLE_KEY = 'ASIAROLEROLEROLEROLE';
const OTHER_KEY = 'ASIAOTHEROTHEROTHER0';
const BUCKET = 'cdk-hnb659fds-assets-123456789012-us-east-1';

let emu: FlowEmulator;
const clients: Array<{ destroy(): void }> = [];

function flowsClient(accessKeyId: string): SocialMessagingClient {
  const c = new SocialMessagingClient({ endpoint: emu.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId, secretAccessKey: 'secret' } });
  clients.push(c);
  return c;
}

function s3Client(accessKeyId: string): S3Client {
  const c = new S3Client({ endpoint: emu.endpoint, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId, secretAccessKey: 'secret' } });
  clients.push(c);
  return c;
}

const list = (c: SocialMessagingClient, id = WABA) => c.send(new ListWhatsAppFlowsCommand({ id }));

beforeEach(async () => {
  emu = await FlowEmulator.start();
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await emu.close();
});

test('allows a key the actions its policy grants on the WABA, named by id or by ARN', async () => {
  emu.setIdentityPolicy(ROLE_KEY, [{ actions: ['social-messaging:ListWhatsAppFlows'], resources: [WABA_ARN] }]);
  const c = flowsClient(ROLE_KEY);

  await list(c, WABA);
  await list(c, WABA_ARN);
});

test('fails an action missing from the policy with 403 AccessDeniedException naming the action, the WABA and the caller', async () => {
  emu.setIdentityPolicy(ROLE_KEY, [{ actions: ['social-messaging:ListWhatsAppFlows'], resources: [WABA_ARN] }], {
    principal: 'arn:aws:sts::123456789012:assumed-role/Stack-ProviderRole/local-deploy',
  });

  const err = await rejection(flowsClient(ROLE_KEY).send(new GetWhatsAppFlowCommand({ id: WABA, flowId: '1' })));

  expect(err).toBeInstanceOf(AccessDeniedException);
  expect(err.$metadata.httpStatusCode).toBe(403);
  expect(err.message).toBe(
    `User: arn:aws:sts::123456789012:assumed-role/Stack-ProviderRole/local-deploy is not authorized to perform: social-messaging:GetWhatsAppFlow on resource: ${WABA_ARN} because no identity-based policy allows the social-messaging:GetWhatsAppFlow action`,
  );
  expect(emu.calls('GetWhatsAppFlow')[0]).toMatchObject({ httpStatus: 403, errorType: 'AccessDeniedException' });
});

test('fails a WABA the policy does not name, and one of another account', async () => {
  emu.setIdentityPolicy(ROLE_KEY, [{ actions: ['social-messaging:*'], resources: [WABA_ARN] }]);
  const c = flowsClient(ROLE_KEY);

  expect(await rejection(list(c, OTHER_WABA))).toBeInstanceOf(AccessDeniedException);
  expect(await rejection(list(c, `arn:aws:social-messaging:us-east-1:999999999999:waba/${WABA_HEX}`))).toBeInstanceOf(AccessDeniedException);
});

test.each([
  ['a service wildcard', 'social-messaging:*', WABA_ARN],
  ['an action prefix wildcard, in any case', 'Social-Messaging:list*', WABA_ARN],
  ['every WABA of the account and Region', 'social-messaging:ListWhatsAppFlows', 'arn:aws:social-messaging:us-east-1:123456789012:waba/*'],
  ['every resource', 'social-messaging:ListWhatsAppFlows', '*'],
  ['a single-character wildcard', 'social-messaging:ListWhatsAppFlow?', `arn:aws:social-messaging:*:123456789012:waba/${WABA_HEX}`],
])('allows %s', async (_name, action, resource) => {
  emu.setIdentityPolicy(ROLE_KEY, [{ actions: [action], resources: [resource] }]);

  await list(flowsClient(ROLE_KEY));
});

test('completes a WABA id with the principal\'s account and the signature\'s Region', async () => {
  emu.setIdentityPolicy(ROLE_KEY, [{ actions: ['social-messaging:ListWhatsAppFlows'], resources: [`arn:aws:social-messaging:eu-west-1:555555555555:waba/${WABA_HEX}`] }], {
    principal: 'arn:aws:sts::555555555555:assumed-role/R/s',
  });
  const c = new SocialMessagingClient({ endpoint: emu.endpoint, region: 'eu-west-1', maxAttempts: 1, credentials: { accessKeyId: ROLE_KEY, secretAccessKey: 'secret' } });
  clients.push(c);

  await list(c);
  expect(await rejection(list(flowsClient(ROLE_KEY)))).toBeInstanceOf(AccessDeniedException);
});

test('leaves keys without a policy unrestricted, and applies each policy to its own key only', async () => {
  emu.setIdentityPolicy(ROLE_KEY, []);

  await list(flowsClient(OTHER_KEY));
  expect(await rejection(list(flowsClient(ROLE_KEY)))).toBeInstanceOf(AccessDeniedException);

  emu.setIdentityPolicy(ROLE_KEY, undefined);
  await list(flowsClient(ROLE_KEY));
  expect(emu.identityPolicy(ROLE_KEY)).toBeUndefined();
});

test('still applies setAllowedWabas to every caller, on top of the keyed policies', async () => {
  emu.setIdentityPolicy(ROLE_KEY, [{ actions: ['social-messaging:*'], resources: ['*'] }]);
  emu.setAllowedWabas([OTHER_WABA]);

  expect(await rejection(list(flowsClient(ROLE_KEY)))).toBeInstanceOf(AccessDeniedException);
  expect(await rejection(list(flowsClient(OTHER_KEY)))).toBeInstanceOf(AccessDeniedException);
});

test('grants S3 reads per object ARN, and refuses others with AccessDenied', async () => {
  emu.putObject(BUCKET, 'granted.json', '{}');
  emu.putObject(BUCKET, 'other.json', '{}');
  emu.setIdentityPolicy(ROLE_KEY, [{ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::${BUCKET}/granted.json`] }]);
  const s3 = s3Client(ROLE_KEY);

  const ok = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'granted.json' }));
  expect(await ok.Body!.transformToString()).toBe('{}');
  const err = await rejection(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'other.json' })));
  expect(err.name).toBe('AccessDenied');
  expect(err.$metadata.httpStatusCode).toBe(403);
  expect(err.message).toContain(`s3:GetObject on resource: arn:aws:s3:::${BUCKET}/other.json`);
  expect(emu.calls('S3.GetObject').map((c) => c.httpStatus)).toEqual([200, 403]);
});

test('grants S3 reads by wildcard object pattern', async () => {
  emu.putObject(BUCKET, 'a/b.json', '{}');
  emu.setIdentityPolicy(ROLE_KEY, [{ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::${BUCKET}/*.json`] }]);

  await s3Client(ROLE_KEY).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'a/b.json' }));
});

describe('propagation delay', () => {
  const list1 = { actions: ['social-messaging:ListWhatsAppFlows'], resources: [WABA_ARN] };
  const get1 = { actions: ['social-messaging:GetWhatsAppFlow'], resources: [WABA_ARN] };

  test('a new statement takes effect only once the delay has passed on the emulator\'s clock', async () => {
    emu.setIdentityPolicy(ROLE_KEY, [list1], { propagationDelayMs: 60_000 });
    const c = flowsClient(ROLE_KEY);

    expect(await rejection(list(c))).toBeInstanceOf(AccessDeniedException);
    emu.advanceTime(60_000);
    await list(c);
  });

  test('statements already in effect stay in effect when the policy is set again; removals apply at once', async () => {
    emu.setIdentityPolicy(ROLE_KEY, [list1, get1]);
    const c = flowsClient(ROLE_KEY);

    emu.setIdentityPolicy(ROLE_KEY, [list1], { propagationDelayMs: 60_000 });

    await list(c);
    expect(await rejection(c.send(new GetWhatsAppFlowCommand({ id: WABA, flowId: '1' })))).toBeInstanceOf(AccessDeniedException);
  });
});
