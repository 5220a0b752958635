/**
 * The local deploy's simulated IAM: each role of a stack is an access key of its own, whose policy
 * is made of the policy resources that exist at each moment of the stack operation (created,
 * updated, restored and deleted in CloudFormation's order). The test function makes one call to
 * the emulator per event, with its role's credentials.
 */
import { FLOW_ACTIONS } from '../../../lib/provider';
import { custom, policy, roleKey, starts, template, useEngine, wabaArn } from '../../support/engine';

const h = useEngine();
const WABA_A = 'waba-aaaa0000000000000000000000000000';
const WABA_B = 'waba-bbbb0000000000000000000000000000';
const LIST = 'social-messaging:ListWhatsAppFlows';
const BUCKET = 'cdk-hnb659fds-assets-123456789012-us-east-1';

/** A resource that lists the flows of `wabaId` on the request types `on`, and answers FAILED when denied. */
const lister = (wabaId: string, on = 'Create,Update,Delete', extra: Record<string, unknown> = {}, dependsOn?: string[]) =>
  custom({ Value: wabaId.slice(5, 9), Call: LIST, CallOn: on, WabaId: wabaId, ...extra }, dependsOn ? { DependsOn: dependsOn } : {});

test('fails an action missing from the role\'s policy with AccessDenied naming the action', async () => {
  const result = await h.run({
    template: template(h, {
      // The provider's actions before ListWhatsAppFlowAssets was granted (issue 10, D2).
      Grant: policy(FLOW_ACTIONS.filter((a) => a !== 'social-messaging:ListWhatsAppFlowAssets'), [wabaArn(WABA_A)]),
      Assets: custom({ Call: 'social-messaging:ListWhatsAppFlowAssets', WabaId: WABA_A }, { DependsOn: ['Grant'] }),
    }),
  });

  expect(result.outcome).toBe('rolled back');
  expect(result.failure).toBe(
    `Assets failed: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/S-Role/local-deploy is not authorized to perform: social-messaging:ListWhatsAppFlowAssets on resource: arn:aws:social-messaging:us-east-1:123456789012:waba/aaaa0000000000000000000000000000 because no identity-based policy allows the social-messaging:ListWhatsAppFlowAssets action`,
  );
});

test('allows a call once the policy resource that grants it is created, and the grant has propagated', async () => {
  // GIVEN grants take an hour of the emulator's clock to propagate
  const operation = h.run({
    template: template(h, { Grant: policy([LIST], [wabaArn(WABA_A)]), X: lister(WABA_A, 'Create', { RetryDeniedForMs: 60_000 }, ['Grant']) }),
    iamPropagationDelayMs: 3_600_000,
  });

  // WHEN the call was denied right after the grant, and the hour passes
  await h.waitForLine((l) => l.logicalId === 'X' && l.at === 'denied');
  h.emulator.advanceTime(3_600_000);

  // THEN the handler's retry gets through
  const result = await operation;
  expect(result.outcome).toBe('created');
  const x = h.lines().filter((l) => l.logicalId === 'X' && l.at !== 'start').map((l) => l.at);
  expect(x[0]).toBe('denied');
  expect(x.slice(-2)).toEqual(['call', 'end']);
});

test('fails a call that runs before the policy granting it is created, when nothing orders them', async () => {
  // One resource at a time, in template order: X before the policy it does not depend on.
  const result = await h.run({ template: template(h, { X: lister(WABA_A, 'Create'), Grant: policy([LIST], [wabaArn(WABA_A)]) }), concurrency: 1 });

  expect(result.outcome).toBe('rolled back');
  expect(result.failure).toMatch(/^X failed: AccessDeniedException: .*social-messaging:ListWhatsAppFlows/);
});

describe('a resource moving to another WABA, with one policy per WABA (as the construct writes them)', () => {
  const v1 = () => template(h, { WabaA: policy([LIST], [wabaArn(WABA_A)]), X: lister(WABA_A, 'Create,Update,Delete', {}, ['WabaA']) });
  const v2 = (extra: Record<string, any> = {}) =>
    template(h, { WabaB: policy([LIST], [wabaArn(WABA_B)]), X: lister(WABA_B, 'Create,Update,Delete', { Replace: 'true' }, ['WabaB']), ...extra });

  test('deletes the old resource in the cleanup phase while the old WABA is still granted, then the old grant', async () => {
    const first = await h.run({ template: v1() });

    const result = await h.run({ previous: first.state, template: v2() });

    expect(result.outcome).toBe('updated');
    expect(result.problems).toEqual([]);
    expect(result.rows.map((r) => [r.logicalId, r.action])).toEqual([['X', 'replaced'], ['X', 'deleted']]);
    expect(h.lines().filter((l) => l.at === 'call').map((l) => [l.requestType, l.value, l.ok])).toEqual([
      ['Create', 'aaaa', true], ['Update', 'bbbb', true], ['Delete', 'aaaa', true],
    ]);
    expect(h.emulator.identityPolicy(roleKey())).toEqual([{ actions: [LIST], resources: ['arn:aws:social-messaging:us-east-1:123456789012:waba/bbbb0000000000000000000000000000'] }]);
  });

  test('rolls back a failed move: the new resource is deleted while the new WABA is still granted', async () => {
    const first = await h.run({ template: v1() });

    const result = await h.run({ previous: first.state, template: v2({ Z: custom({ Fail: 'Create' }, { DependsOn: ['X'] }) }) });

    expect(result.outcome).toBe('rolled back');
    expect(result.problems).toEqual([]);
    expect(result.state!.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(h.lines().filter((l) => l.logicalId === 'X' && l.at === 'call').map((l) => [l.requestType, l.value, l.ok])).toEqual([
      ['Create', 'aaaa', true], ['Update', 'bbbb', true], ['Delete', 'bbbb', true],
    ]);
    expect(h.emulator.identityPolicy(roleKey())).toEqual([{ actions: [LIST], resources: ['arn:aws:social-messaging:us-east-1:123456789012:waba/aaaa0000000000000000000000000000'] }]);
  });
});

test('fails the rollback of a move when one policy changed its WABA in place: it is put back only after the resources that depend on it', async () => {
  const first = await h.run({ template: template(h, { Grant: policy([LIST], [wabaArn(WABA_A)]), X: lister(WABA_A, 'Create,Update', {}, ['Grant']) }) });

  const result = await h.run({
    previous: first.state,
    template: template(h, { Grant: policy([LIST], [wabaArn(WABA_B)]), X: lister(WABA_B, 'Create,Update', {}, ['Grant']), Z: custom({ Fail: 'Create' }, { DependsOn: ['X'] }) }),
  });

  expect(result.state!.status).toBe('UPDATE_ROLLBACK_FAILED');
  expect(result.problems).toEqual([expect.stringMatching(/^X: the rollback Update of .* failed: AccessDeniedException: .*waba\/aaaa0/)]);
  // the policy itself is back
  expect(h.emulator.identityPolicy(roleKey())![0].resources[0]).toMatch(/waba\/aaaa0/);
});

describe('a stack deletion', () => {
  test.each([
    ['keeps a policy until the resources that depend on it are deleted', ['Grant'], 'deleted'],
    ['may delete a policy before a resource that does not depend on it', undefined, 'delete failed'],
  ])('%s', async (_name, dependsOn, outcome) => {
    // Y comes first in the template: one resource at a time in reverse order deletes X, the policy, then Y.
    const first = await h.run({
      template: template(h, { Y: lister(WABA_A, 'Delete', {}, dependsOn), Grant: policy([LIST], [wabaArn(WABA_A)]), X: lister(WABA_A, 'Delete', {}, ['Grant']) }),
    });

    const result = await h.run({ previous: first.state, concurrency: 1 });

    expect(result.outcome).toBe(outcome);
    expect(starts(h.lines(), 'Y')).toEqual([['Create', '1', 'aaaa'], ['Delete', '1', 'aaaa']]);
    if (outcome === 'delete failed') expect(result.failure).toMatch(/^Y failed: AccessDeniedException/);
  });
});

test('grants S3 objects as the construct does, with bucket.arnForObjects(key) in a managed policy attached by the role', async () => {
  h.emulator.putObject(BUCKET, 'granted.json', '{}');
  h.emulator.putObject(BUCKET, 'other.json', '{}');
  const objectArn = (key: string) => ({
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' }, `/${key}`]],
  });
  const t = template(h, {
    Content: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: [objectArn('granted.json')] }] } } },
    Granted: custom({ Call: 's3:GetObject', Bucket: BUCKET, Key: 'granted.json', CallOn: 'Create' }, { DependsOn: ['Content'] }),
    Other: custom({ Call: 's3:GetObject', Bucket: BUCKET, Key: 'other.json', CallOn: 'Create' }, { DependsOn: ['Granted'] }),
  });
  (t.Resources!.Role.Properties as any).ManagedPolicyArns = [{ Ref: 'Content' }];

  const result = await h.run({ template: t });

  expect(result.rows.map((r) => [r.logicalId, r.action])).toEqual([['Granted', 'created'], ['Other', 'failed'], ['Other', 'rolled back'], ['Granted', 'rolled back']]);
  expect(result.failure).toMatch(/^Other failed: AccessDenied: .*s3:GetObject on resource: arn:aws:s3:::cdk-hnb659fds-assets-123456789012-us-east-1\/other\.json/);
});

test('gives each stack\'s role its own key: two stacks at once keep their own grants', async () => {
  const stack = (granted: string, called: string) => template(h, { Grant: policy([LIST], [wabaArn(granted)]), X: lister(called, 'Create', {}, ['Grant']) });

  const [one, two] = await Promise.all([h.run({ stackName: 'One', template: stack(WABA_A, WABA_B) }), h.run({ stackName: 'Two', template: stack(WABA_B, WABA_B) })]);

  expect(one.outcome).toBe('rolled back');
  expect(one.failure).toMatch(/assumed-role\/One-Role\/local-deploy is not authorized to perform: social-messaging:ListWhatsAppFlows on resource: .*waba\/bbbb0/);
  expect(two.outcome).toBe('created');
  expect(roleKey('One')).not.toBe(roleKey('Two'));
});
