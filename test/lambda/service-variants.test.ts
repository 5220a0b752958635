/**
 * The spec leaves several points of the service UNCONFIRMED (which exception a name conflict or a
 * refused state change raises, whether names compare case-insensitively, whether a create that
 * asks to publish invalid content fails or leaves a draft, the text of validation errors, whether
 * a metadata update unpublishes, whether a locked or deprecated flow can be deprecated, the
 * default page size). The emulator can take each side of each point; a stack's whole life must
 * go through on every combination, with the same answers and the same end state.
 */
import { FlowCategory, FlowJson, FlowValidation } from '../../lib';
import { BehaviourOptions } from '../../local/emulator';
import { propsFor, unpublishableFlow, useHarness, validFlow } from '../support/cfn';

const h = useHarness({ idSeed: 11 });

const VARIANTS: Array<[string, BehaviourOptions]> = [
  ['the defaults', {}],
  ['ValidationException for conflicts and refused states, names compared ignoring case', { nameConflictError: 'ValidationException', stateErrorType: 'ValidationException', nameComparison: 'caseInsensitive' }],
  ['a create that asks to publish invalid content fails outright; validation errors as plain text', { publishInvalidOnCreate: 'fail', validationErrorFormat: 'text' }],
  ['a metadata update unpublishes; deprecating a deprecated flow succeeds', { metadataUpdateUnpublishes: true, deprecateDeprecated: 'succeed' }],
  ['a published flow refuses metadata updates', { metadataUpdatePublished: 'refuse' }],
  ['locked flows refuse deprecation; one flow per page; duplicate categories rejected', { deprecateLocked: 'refuse', defaultPageSize: 1, duplicateCategories: 'reject' }],
];

const unchecked = FlowValidation.skip('the test sends content the service must refuse');

describe.each(VARIANTS)('whichever way the service settles its UNCONFIRMED points: %s', (_, behaviour) => {
  beforeEach(() => h.emulator.configure(behaviour));

  test('a published flow goes through create, edits, a refused edit and its rollback, and deletion', async () => {
    // Other flows in the WABA, one with the same name in another case, so the name lookup pages.
    for (const name of ['other-a', 'other-b', 'SIGNUP-ARCHIVE']) {
      const other = await h.handler.invoke({ requestType: 'Create', props: propsFor({ flowName: name, flowJson: FlowJson.fromObject(validFlow(name)) }) });
      expect(other.response.Status).toBe('SUCCESS');
    }

    const v1 = propsFor({ flowJson: FlowJson.fromObject(validFlow('One')), publish: true });
    const created = await h.handler.invoke({ requestType: 'Create', props: v1 });
    expect(created.response.Status).toBe('SUCCESS');
    const id = created.response.PhysicalResourceId;
    expect(h.emulator.flow(id)!.status).toBe('PUBLISHED');

    const v2 = propsFor({ flowJson: FlowJson.fromObject(validFlow('Two')), publish: true });
    const edited = await h.handler.invoke({ requestType: 'Update', props: v2, oldProps: v1, physicalId: id });
    expect(edited.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(h.emulator.flow(id)).toMatchObject({ status: 'PUBLISHED' });
    expect(h.emulator.flow(id)!.json!.toString('utf8')).toContain('Two');

    const v3 = propsFor({ flowName: 'signup-v3', categories: [FlowCategory.SIGN_UP, FlowCategory.OTHER], flowJson: FlowJson.fromObject(validFlow('Two')), publish: true });
    const renamed = await h.handler.invoke({ requestType: 'Update', props: v3, oldProps: v2, physicalId: id });
    expect(renamed.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    if (behaviour.metadataUpdatePublished === 'refuse') {
      // Refused for a published flow: reported, never failed (the same request is how a rollback restores a name).
      expect(renamed.response.Data!.Divergence).toMatch(/refused to rename flow/);
      expect(h.emulator.flow(id)).toMatchObject({ flowName: 'signup', status: 'PUBLISHED' });
      return;
    }
    expect(renamed.response.Data!.Divergence).toBe('');
    expect(h.emulator.flow(id)).toMatchObject({ flowName: 'signup-v3', categories: ['SIGN_UP', 'OTHER'], status: 'PUBLISHED' });

    // Content Meta refuses: the update fails, and the live flow keeps its previous content.
    const bad = propsFor({ flowName: 'signup-v3', categories: [FlowCategory.SIGN_UP, FlowCategory.OTHER], flowJson: FlowJson.fromObject(unpublishableFlow()), publish: true, validation: unchecked });
    const refused = await h.handler.invoke({ requestType: 'Update', props: bad, oldProps: v3, physicalId: id });
    expect(refused.response.Status).toBe('FAILED');
    expect(refused.response.Reason).toMatch(/cannot be published/);
    expect(h.emulator.flow(id)!.status).toBe('PUBLISHED');
    expect(h.emulator.flow(id)!.json!.toString('utf8')).toContain('Two');
    // UPDATE_ROLLBACK sends the old properties back.
    const rolledBack = await h.handler.invoke({ requestType: 'Update', props: v3, oldProps: bad, physicalId: id });
    expect(rolledBack.response.Status).toBe('SUCCESS');
    expect(h.emulator.flow(id)).toMatchObject({ flowName: 'signup-v3', status: 'PUBLISHED' });

    // Stack deletion renames it out of the way and deprecates it; a second delivery of that Delete still succeeds.
    for (let delivery = 0; delivery < 2; delivery++) {
      const deleted = await h.handler.invoke({ requestType: 'Delete', props: v3, physicalId: id });
      expect(deleted.response.Status).toBe('SUCCESS');
      expect(h.emulator.flow(id)).toMatchObject({ status: 'DEPRECATED', flowName: `signup-v3 (retired ${id})` });
    }
  });

  test('a published flow that leaves the stack frees its name, so the same code deploys again', async () => {
    const props = propsFor({ flowJson: FlowJson.fromObject(validFlow('One')), publish: true });
    const first = await h.handler.invoke({ requestType: 'Create', props });
    const gone = await h.handler.invoke({ requestType: 'Delete', props, physicalId: first.response.PhysicalResourceId });
    expect(gone.response.Status).toBe('SUCCESS');
    expect(h.emulator.flow(first.response.PhysicalResourceId)).toMatchObject({ status: 'DEPRECATED', flowName: `signup (retired ${first.response.PhysicalResourceId})` });

    const again = await h.handler.invoke({ requestType: 'Create', props });
    expect(again.response.Status).toBe('SUCCESS');
    expect(h.emulator.flow(again.response.PhysicalResourceId)).toMatchObject({ flowName: 'signup', status: 'PUBLISHED' });
  });

  test('a draft is deleted, a create refused by Meta leaves nothing behind, and a locked flow never fails a stack deletion', async () => {
    const draftProps = propsFor({ flowName: 'draft', flowJson: FlowJson.fromObject(validFlow()) });
    const draft = await h.handler.invoke({ requestType: 'Create', props: draftProps });
    expect(draft.response.Status).toBe('SUCCESS');
    const deleted = await h.handler.invoke({ requestType: 'Delete', props: draftProps, physicalId: draft.response.PhysicalResourceId });
    expect(deleted.response.Status).toBe('SUCCESS');
    expect(h.emulator.flow(draft.response.PhysicalResourceId)).toBeUndefined();

    const invalid = await h.handler.invoke({ requestType: 'Create', props: propsFor({ flowName: 'invalid', flowJson: FlowJson.fromObject(unpublishableFlow()), publish: true, validation: unchecked }) });
    expect(invalid.response.Status).toBe('FAILED');
    expect(h.emulator.flows()).toEqual([]);
    // A second attempt under the same name is not blocked by anything the first one left.
    const retried = await h.handler.invoke({ requestType: 'Create', props: propsFor({ flowName: 'invalid', flowJson: FlowJson.fromObject(validFlow()), publish: true }) });
    expect(retried.response.Status).toBe('SUCCESS');

    const lockedProps = propsFor({ flowName: 'locked', flowJson: FlowJson.fromObject(validFlow()), publish: true });
    const locked = await h.handler.invoke({ requestType: 'Create', props: lockedProps });
    h.emulator.setStatus(locked.response.PhysicalResourceId, 'BLOCKED');
    const gone = await h.handler.invoke({ requestType: 'Delete', props: lockedProps, physicalId: locked.response.PhysicalResourceId });
    expect(gone.response.Status).toBe('SUCCESS');
    expect(['BLOCKED', 'DEPRECATED']).toContain(h.emulator.flow(locked.response.PhysicalResourceId)!.status);
  });

  test('a name already held by a flow the stack did not create fails the create and names that flow', async () => {
    const existing = await h.handler.invoke({ requestType: 'Create', props: propsFor({ flowName: 'taken', flowJson: FlowJson.fromObject(validFlow()) }) });
    h.emulator.clearCalls();
    const clash = await h.handler.invoke({ requestType: 'Create', props: propsFor({ flowName: 'taken', flowJson: FlowJson.fromObject(validFlow()) }) });
    expect(clash.response.Status).toBe('FAILED');
    expect(clash.response.Reason).toContain(existing.response.PhysicalResourceId);
    expect(h.emulator.flows()).toHaveLength(1);
  });
});

test('fails a create whose name the service counts as taken by a flow named in another case, and names that flow', async () => {
  h.emulator.configure({ nameComparison: 'caseInsensitive', nameConflictError: 'ValidationException' });
  const existing = await h.handler.invoke({ requestType: 'Create', props: propsFor({ flowName: 'SIGNUP', flowJson: FlowJson.fromObject(validFlow()) }) });
  h.emulator.clearCalls();

  const clash = await h.handler.invoke({ requestType: 'Create', props: propsFor({ flowName: 'signup', flowJson: FlowJson.fromObject(validFlow()) }) });

  expect(clash.response.Status).toBe('FAILED');
  expect(clash.response.Reason).toContain(`flow ${existing.response.PhysicalResourceId} (status DRAFT) is named "SIGNUP", which the service may count as the same name: choose another flowName`);
  expect(h.emulator.flows()).toHaveLength(1);
  // The exact-name lookup, the refused create, and one more scan to explain the refusal.
  expect(h.emulator.operations()).toEqual(['ListWhatsAppFlows', 'CreateWhatsAppFlow', 'ListWhatsAppFlows']);
});
