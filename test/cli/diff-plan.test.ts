/**
 * `whatsapp-flow diff` decides with the handler's plan() (cli/diff/plan.ts): where the wording of
 * a removal depends on what the handler would do, it follows the handler, also on templates the
 * construct does not write. The diff's words for the cases the construct writes are tested on
 * real assemblies in diff.test.ts.
 */
import { planFlow } from '../../cli/diff/plan';
import type { FlowDecl, Value } from '../../cli/diff/assembly-flows';

const WABA = 'waba-0123456789abcdef0123456789abcdef';
const OTHER_WABA = 'waba-fedcba9876543210fedcba9876543210';
const literal = (s: string): Value => ({ raw: s, literal: s, text: s });

/** A flow as the diff reads it from a template: a draft named signup, removal policy destroy. */
function decl(over: Partial<FlowDecl> = {}): FlowDecl {
  return {
    key: 'FlowStack/Signup', stackKey: 'FlowStack', stack: 'FlowStack', environment: 'aws://123456789012/us-east-1', logicalId: 'Signup', templateLabel: 'FlowStack.template.json',
    wabaId: literal(WABA), flowName: literal('signup'), categories: ['SIGN_UP'], categoriesValue: { raw: ['SIGN_UP'], text: '["SIGN_UP"]' },
    publish: false, publishValue: literal('false'), removalPolicy: 'destroy', deletionPolicy: 'Delete', updateReplacePolicy: 'Delete', adoptExisting: false, preview: false,
    content: { sha256: 'a'.repeat(64), where: 'inline', inline: '{}' },
    ...over,
  };
}
const none = { removed: [], created: [] };

test('says that the old flow of a WABA move is left in place if the resource took it over, as the handler does with adoptExisting', () => {
  const old = decl({ adoptExisting: true, removalPolicy: 'destroy-keep-adopted' });
  const f = planFlow(old, decl({ adoptExisting: true, removalPolicy: 'destroy-keep-adopted', wabaId: literal(OTHER_WABA) }), none);

  expect(f.action).toBe('replace');
  expect(f.effects[1]).toBe(`then deletes the old flow "signup" in ${WABA}, a draft`);
  expect(f.notes).toContain('if this resource took the flow over (adoptExisting) rather than creating it, the flow is left in place instead (set removalPolicy DESTROY to remove it too)');
});

test('follows the handler for a RemovalPolicy that CloudFormation does not keep: retain-except-on-create without its DeletionPolicy is deleted', () => {
  // The construct writes RetainExceptOnCreate with it; a hand-edited template may not, and then
  // CloudFormation sends the Delete, which the handler carries out.
  const f = planFlow(decl({ removalPolicy: 'retain-except-on-create', deletionPolicy: 'Delete' }), undefined, none);

  expect(f).toMatchObject({ action: 'delete', effects: ['deletes flow "signup", a draft'] });
  expect(planFlow(decl({ removalPolicy: 'retain-except-on-create', deletionPolicy: 'RetainExceptOnCreate' }), undefined, none).action).toBe('retained');
});

test('plans both statuses when Publish is resolved at deploy, and says what depends on it', () => {
  const unknown = { publish: undefined, publishValue: { raw: { Ref: 'Publish' }, text: '{"Ref":"Publish"}' } };
  expect(planFlow(decl(unknown), undefined, none)).toMatchObject({ action: 'delete or deprecate', effects: ['deprecates flow "signup" if it is published, deletes it if it is a draft'] });
  const update = planFlow(decl(unknown), decl({ ...unknown, content: { sha256: 'b'.repeat(64), where: 'inline', inline: '{ }' } }), none);
  expect(update.effects).toEqual(['updates the content (and republishes it if the flow is published)']);
});
