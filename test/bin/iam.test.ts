/**
 * The local deploy's simulated IAM: which WABAs the provider role may use while an event runs,
 * given the old and new templates' policies and the order CloudFormation guarantees.
 */
import { IamSimulation, Phase, roleGrants } from '../../bin/local/iam';
import { activeResources, directDependencies, LocalEnvironment, Template, transitiveDependencies } from '../../bin/local/template';

const env: LocalEnvironment = { partition: 'aws', region: 'us-east-1', accountId: '123456789012', stackName: 'S', stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/S/x' };

const wabaArn = (id: string, account: unknown = { Ref: 'AWS::AccountId' }) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':social-messaging:', { Ref: 'AWS::Region' }, ':', account, `:waba/${id}`]],
});

function policy(resources: unknown[]): Record<string, unknown> {
  return {
    Type: 'AWS::IAM::Policy',
    Properties: {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['social-messaging:GetWhatsAppFlow'], Resource: resources }] },
      Roles: [{ Ref: 'Role' }],
    },
  };
}

function flow(dependsOn: string[]): Record<string, unknown> {
  return { Type: 'Custom::WhatsAppFlow', Properties: { ServiceToken: { 'Fn::GetAtt': ['Fn', 'Arn'] } }, DependsOn: dependsOn };
}

function template(resources: Record<string, unknown>): Template {
  return {
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: {} },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] } } },
      ...resources,
    } as Template['Resources'],
  };
}

function simulation(old: Template | undefined, next: Template | undefined): IamSimulation {
  const model = (t?: Template) => {
    if (!t) return { grants: undefined, deps: new Map<string, Set<string>>() };
    const resources = activeResources(t, env);
    const ctx = { env, template: t, ref: (id: string) => `S-${id}`, getAtt: (id: string) => `S-${id}.Arn` };
    return { grants: roleGrants(resources, 'Fn', ctx), deps: transitiveDependencies(directDependencies(resources)) };
  };
  const o = model(old);
  const n = model(next);
  return new IamSimulation(o.grants, n.grants, o.deps, n.deps);
}

const allowed = (sim: IamSimulation, phase: Phase, id: string) => sim.allowedWabas(phase, id);

test.each<[string, Template | undefined, Template | undefined, Phase, string, string[] | undefined]>([
  ['a new policy counts for the flows that depend on it', undefined, template({ PolicyA: policy([wabaArn('a')]), Flow: flow(['PolicyA']) }), 'update', 'Flow', ['waba-a']],
  ['a new policy does not count for a flow that does not depend on it', undefined, template({ PolicyA: policy([wabaArn('a')]), Flow: flow([]) }), 'update', 'Flow', []],
  [
    'a changed policy gives a flow that does not depend on it only what old and new share',
    template({ P: policy([wabaArn('a'), wabaArn('b')]), Flow: flow(['P']) }),
    template({ P: policy([wabaArn('a'), wabaArn('c')]), Flow: flow([]) }),
    'update',
    'Flow',
    ['waba-a'],
  ],
  [
    'a removed policy lives through the update phase',
    template({ PolicyA: policy([wabaArn('a')]), Flow: flow(['PolicyA']) }),
    template({ PolicyB: policy([wabaArn('b')]), Flow: flow(['PolicyB']) }),
    'update',
    'Flow',
    ['waba-a', 'waba-b'],
  ],
  [
    'a removed policy outlives the cleanup of the old resources that depended on it',
    template({ PolicyA: policy([wabaArn('a')]), Flow: flow(['PolicyA']) }),
    template({ PolicyB: policy([wabaArn('b')]), Flow: flow(['PolicyB']) }),
    'cleanup',
    'Flow',
    ['waba-a', 'waba-b'],
  ],
  [
    'a removed policy may be gone before the cleanup of an old resource that did not depend on it',
    template({ PolicyA: policy([wabaArn('a')]), Flow: flow([]) }),
    template({ PolicyB: policy([wabaArn('b')]), Flow: flow(['PolicyB']) }),
    'cleanup',
    'Flow',
    ['waba-b'],
  ],
  [
    'a changed policy is put back before the rollback cleanup deletes new resources',
    template({ P: policy([wabaArn('a')]) }),
    template({ P: policy([wabaArn('a'), wabaArn('b')]), Flow: flow(['P']) }),
    'rollback-cleanup',
    'Flow',
    ['waba-a'],
  ],
  ['a stack deletion keeps a policy until the resources that depend on it are gone', template({ P: policy([wabaArn('a')]), Flow: flow(['P']) }), undefined, 'destroy', 'Flow', ['waba-a']],
  ['a stack deletion may delete a policy that nothing depends on first', template({ P: policy([wabaArn('a')]), Flow: flow([]) }), undefined, 'destroy', 'Flow', []],
  ['a wildcard WABA grants every WABA', undefined, template({ P: policy([wabaArn('*')]), Flow: flow(['P']) }), 'update', 'Flow', undefined],
  ['a WABA of another account is not granted', undefined, template({ P: policy([wabaArn('a', '999999999999')]), Flow: flow(['P']) }), 'update', 'Flow', []],
])('%s', (_name, old, next, phase, id, expected) => {
  expect(allowed(simulation(old, next), phase, id)).toEqual(expected);
});

test('does not simulate IAM when the function\'s role is not in the template', () => {
  const t: Template = { Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: 'arn:aws:iam::123456789012:role/imported' } }, Flow: flow([]) as any } };
  const sim = simulation(undefined, t);
  expect(sim.simulated).toBe(false);
  expect(allowed(sim, 'update', 'Flow')).toBeUndefined();
});
