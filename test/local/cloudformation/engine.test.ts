/**
 * The local CloudFormation engine (local/cloudformation/engine.ts) as CloudFormation behaves: parallel
 * independent resources, cancellation on failure, rollback with the function configuration in
 * place at each moment, cleanup, retention policies, delivery quirks, and two stacks at once.
 * A tiny test function stands in for the provider (test/local/fixtures/test-function): it records
 * each invocation and answers as its properties say.
 */
import * as fs from 'fs';
import { seededOrder } from '../../../local/cloudformation/engine';
import { custom, expectOneConclusionPerEvent, starts, template, useEngine } from '../../support/engine';

const h = useEngine();

test('runs independent resources at the same time and a dependent one once they are done', async () => {
  // GIVEN A and B each wait until the other has started: they finish only if they run together
  const t = template(h, {
    A: custom({ Value: 'a', WaitFor: 'B:start' }),
    B: custom({ Value: 'b', WaitFor: 'A:start' }),
    C: custom({ Value: { 'Fn::GetAtt': ['A', 'Value'] }, Other: { Ref: 'B' } }),
  });

  // WHEN
  const result = await h.run({ template: t });

  // THEN
  expect(result.outcome).toBe('created');
  expect(result.rows.map((r) => [r.logicalId, r.action])).toEqual([['A', 'created'], ['B', 'created'], ['C', 'created']]);
  const lines = h.lines();
  const at = (id: string, what: string) => lines.findIndex((l) => l.logicalId === id && l.at === what);
  expect(at('C', 'start')).toBeGreaterThan(at('A', 'end'));
  expect(at('C', 'start')).toBeGreaterThan(at('B', 'end'));
  // Fn::GetAtt and Ref resolved from the answers
  expect(lines.find((l) => l.logicalId === 'C')!.value).toBe('a');
  expect(result.state!.resources.C.properties.Other).toBe(result.state!.resources.B.physicalId);
  expectOneConclusionPerEvent(h.observed);
});

test('cancels the creates in flight on a failure, then deletes them by a physical id CloudFormation generated while they still run', async () => {
  // GIVEN B's Create runs until the test opens its gate; A fails once B has started
  const gate = h.gate('b');
  const t = template(h, {
    A: custom({ Value: 'a', WaitFor: 'B:start', Fail: 'Create' }),
    B: custom({ Value: 'b', WaitForFile: gate, WaitForFileOn: 'Create' }),
    C: custom({ Value: 'c' }, { DependsOn: ['A'] }),
  });

  // WHEN
  const result = await h.run({ template: t });

  // THEN the stack creation is rolled back: nothing is deployed
  expect(result.outcome).toBe('rolled back');
  expect(result.state).toBeUndefined();
  expect(result.failure).toBe('A failed: A was told to fail');
  expect(result.rows.map((r) => [r.logicalId, r.action])).toEqual([['A', 'failed'], ['B', 'cancelled'], ['B', 'rolled back'], ['A', 'rolled back']]);
  // C never started; B's Delete carries the id CloudFormation made up, while B's Create still runs
  const lines = h.lines();
  expect(starts(lines, 'C')).toEqual([]);
  const bDelete = lines.find((l) => l.logicalId === 'B' && l.requestType === 'Delete' && l.at === 'start')!;
  expect(bDelete.physicalId).toMatch(/^S-B-[A-Z0-9]{12}$/);
  expect(lines.some((l) => l.logicalId === 'B' && l.requestType === 'Create' && l.at === 'end')).toBe(false);
  expect(lines.find((l) => l.logicalId === 'A' && l.requestType === 'Delete')!.physicalId).toMatch(/^A-a-/);
  const bCreate = result.sent.find((e) => e.logicalId === 'B' && e.requestType === 'Create')!;
  expect(bCreate).toMatchObject({ status: 'CANCELLED', how: 'cancelled' });

  // WHEN B's Create is let go, its answer arrives late: observed, not counted
  fs.writeFileSync(gate, '');
  await h.runtime.settled();
  expect(h.observed.filter((r) => r.requestId === bCreate.requestId && r.kind === 'answer')).toEqual([
    expect.objectContaining({ kind: 'answer', status: 'SUCCESS', counted: false, late: true }),
  ]);
  expectOneConclusionPerEvent(h.observed);
});

test('fails a resource that does not answer within its ServiceTimeout, and deletes it by a generated physical id', async () => {
  const gate = h.gate('never');
  const result = await h.run({
    template: template(h, { A: custom({ Value: 'a', WaitForFile: gate, WaitForFileOn: 'Create' }) }),
    // a short ServiceTimeout for the Create only: the Delete that follows gets a generous one
    serviceTimeoutMs: (e) => (e.RequestType === 'Create' ? 500 : 60_000),
  });

  expect(result.outcome).toBe('rolled back');
  expect(result.failure).toMatch(/^A failed: CloudFormation did not receive a response from the custom resource: no answer within the ServiceTimeout/);
  expect(result.sent.map((e) => [e.requestType, e.how])).toEqual([['Create', 'timeout'], ['Delete', 'answered']]);
  expect(result.sent[1].physicalId).toMatch(/^S-A-[A-Z0-9]{12}$/);
});

describe('rollback', () => {
  test('rolls back updates with the new function configuration, and deletes what the update created with the old one', async () => {
    // GIVEN
    const v1 = await h.run({ template: template(h, { X: custom({ Value: '1' }) }, { version: '1' }) });
    expect(v1.outcome).toBe('created');

    // WHEN the function and X change, Y is new, and Z fails after both
    const result = await h.run({
      previous: v1.state,
      template: template(h, {
        X: custom({ Value: '2' }),
        Y: custom({ Value: 'y' }),
        Z: custom({ Value: 'z', Fail: 'Create' }, { DependsOn: ['X', 'Y'] }),
      }, { version: '2' }),
    });

    // THEN
    expect(result.outcome).toBe('rolled back');
    expect(result.rows.map((r) => [r.logicalId, r.action])).toEqual([
      ['X', 'updated'], ['Y', 'created'], ['Z', 'failed'],
      ['X', 'rolled back'],
      ['Z', 'rolled back'], ['Y', 'rolled back'],
    ]);
    const lines = h.lines();
    expect(starts(lines, 'X')).toEqual([['Create', '1', '1'], ['Update', '2', '2'], ['Update', '2', '1']]);
    expect(starts(lines, 'Y')).toEqual([['Create', '2', 'y'], ['Delete', '1', 'y']]);
    expect(starts(lines, 'Z')).toEqual([['Create', '2', 'z'], ['Delete', '1', 'z']]);
    expect(result.state).toMatchObject({ status: 'UPDATE_ROLLBACK_COMPLETE', resources: { X: { physicalId: v1.state!.resources.X.physicalId, properties: { Value: '1' } } } });
    expect(Object.keys(result.state!.resources)).toEqual(['X']);
  });

  test('sends a cancelled update its rollback Update, with the physical id it had before', async () => {
    // GIVEN
    const v1 = await h.run({ template: template(h, { X: custom({ Value: '1' }), F: custom({ Value: 'f' }) }) });
    const gate = h.gate('x');

    // WHEN X's Update is still running when F fails
    const result = await h.run({
      previous: v1.state,
      template: template(h, { X: custom({ Value: '2', WaitForFile: gate, WaitForFileOn: 'Update' }), F: custom({ Value: 'f2', WaitFor: 'X:start', Fail: 'Update' }) }),
    });
    fs.writeFileSync(gate, '');

    // THEN
    expect(result.rows.map((r) => [r.logicalId, r.action])).toEqual([['X', 'cancelled'], ['F', 'failed'], ['F', 'rolled back'], ['X', 'rolled back']]);
    const rollbacks = result.sent.filter((e) => e.phase === 'rollback');
    expect(rollbacks.map((e) => [e.logicalId, e.physicalId])).toEqual(expect.arrayContaining([
      ['X', v1.state!.resources.X.physicalId],
      ['F', v1.state!.resources.F.physicalId],
    ]));
    expect(result.state!.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  });

  test('fails the rollback, UPDATE_ROLLBACK_FAILED, when a rollback Update fails', async () => {
    // GIVEN X's deployed properties make it fail any Update it gets: the rollback's, which sends them
    const v1 = await h.run({ template: template(h, { X: custom({ Value: '1', Fail: 'Update' }) }) });

    // WHEN X is updated, and Z fails after it
    const result = await h.run({ previous: v1.state, template: template(h, { X: custom({ Value: '2' }), Z: custom({ Fail: 'Create' }, { DependsOn: ['X'] }) }) });

    // THEN
    expect(result.outcome).toBe('rolled back');
    expect(result.rows.map((r) => [r.logicalId, r.action])).toEqual([['X', 'updated'], ['Z', 'failed'], ['X', 'failed'], ['Z', 'rolled back']]);
    expect(result.state!.status).toBe('UPDATE_ROLLBACK_FAILED');
    expect(result.problems).toEqual([expect.stringMatching(/^X: the rollback Update of .* failed: X was told to fail/)]);
  });
});

describe('cleanup', () => {
  test('deletes removed resources after the update succeeded, with the new function configuration', async () => {
    // GIVEN
    const v1 = await h.run({ template: template(h, { X: custom({ Value: '1' }), R: custom({ Value: 'r' }) }, { version: '1' }) });

    // WHEN
    const result = await h.run({ previous: v1.state, template: template(h, { X: custom({ Value: '2' }) }, { version: '2' }) });

    // THEN
    expect(result.outcome).toBe('updated');
    expect(result.rows.map((r) => [r.logicalId, r.action])).toEqual([['X', 'updated'], ['R', 'deleted']]);
    const lines = h.lines();
    expect(starts(lines, 'R')).toEqual([['Create', '1', 'r'], ['Delete', '2', 'r']]);
    const at = (id: string, type: string, what: string) => lines.findIndex((l) => l.logicalId === id && l.requestType === type && l.at === what);
    expect(at('R', 'Delete', 'start')).toBeGreaterThan(at('X', 'Update', 'end'));
    expect(Object.keys(result.state!.resources)).toEqual(['X']);
  });

  test('deletes nothing when the update fails', async () => {
    const v1 = await h.run({ template: template(h, { X: custom({ Value: '1' }), R: custom({ Value: 'r' }) }) });

    const result = await h.run({ previous: v1.state, template: template(h, { X: custom({ Value: '2', Fail: 'Update' }) }) });

    expect(result.outcome).toBe('rolled back');
    expect(starts(h.lines(), 'R')).toEqual([['Create', '1', 'r']]);
    expect(Object.keys(result.state!.resources).sort()).toEqual(['R', 'X']);
  });

  test('does not fail the update when a cleanup Delete fails, and reports it', async () => {
    const v1 = await h.run({ template: template(h, { R: custom({ Value: 'r', Fail: 'Delete' }) }) });

    const result = await h.run({ previous: v1.state, template: template(h, {}) });

    expect(result.outcome).toBe('updated');
    expect(result.failure).toBeUndefined();
    expect(result.rows.map((r) => [r.logicalId, r.action])).toEqual([['R', 'failed']]);
    expect(result.problems).toEqual([expect.stringMatching(/^R: the cleanup Delete of .* \(removed from the app\) failed/)]);
    expect(result.state!.resources).toEqual({});
  });
});

describe('retention', () => {
  test('keeps removed resources with DeletionPolicy Retain or RetainExceptOnCreate, and the old resource of a replacement with UpdateReplacePolicy Retain', async () => {
    // GIVEN
    const v1 = await h.run({
      template: template(h, {
        A: custom({ Value: 'a' }, { DeletionPolicy: 'Retain' }),
        B: custom({ Value: 'b' }, { DeletionPolicy: 'RetainExceptOnCreate' }),
        C: custom({ Value: 'c' }, { UpdateReplacePolicy: 'Retain' }),
        D: custom({ Value: 'd' }),
        E: custom({ Value: 'e' }),
      }),
    });

    // WHEN A, B and D go, C and E are replaced
    const result = await h.run({
      previous: v1.state,
      template: template(h, { C: custom({ Value: 'c2', Replace: 'true' }, { UpdateReplacePolicy: 'Retain' }), E: custom({ Value: 'e2', Replace: 'true' }) }),
    });

    // THEN
    expect(result.rows.map((r) => [r.logicalId, r.action])).toEqual([
      ['C', 'replaced'], ['E', 'replaced'],
      ['E', 'deleted'], ['D', 'deleted'], ['C', 'retained'], ['B', 'retained'], ['A', 'retained'],
    ]);
    const deletes = h.lines().filter((l) => l.requestType === 'Delete' && l.at === 'start');
    expect(deletes.map((l) => [l.logicalId, l.physicalId]).sort()).toEqual([
      ['D', v1.state!.resources.D.physicalId],
      ['E', v1.state!.resources.E.physicalId],
    ]);
  });

  test('deletes what a failed stack creation made, RetainExceptOnCreate included, and keeps Retain', async () => {
    const result = await h.run({
      template: template(h, {
        E: custom({ Value: 'e' }, { DeletionPolicy: 'RetainExceptOnCreate' }),
        G: custom({ Value: 'g' }, { DeletionPolicy: 'Retain' }),
        F: custom({ Value: 'f', Fail: 'Create' }, { DependsOn: ['E', 'G'] }),
      }),
    });

    expect(result.rows.map((r) => [r.logicalId, r.action])).toEqual([
      ['E', 'created'], ['G', 'created'], ['F', 'failed'],
      ['F', 'rolled back'], ['G', 'retained'], ['E', 'rolled back'],
    ]);
    expect(h.lines().filter((l) => l.requestType === 'Delete' && l.at === 'start').map((l) => l.logicalId).sort()).toEqual(['E', 'F']);
  });

  test('destroys in reverse dependency order, keeping what a failed Delete depends on', async () => {
    const v1 = await h.run({
      template: template(h, {
        Base: custom({ Value: 'base' }),
        Top: custom({ Value: { 'Fn::GetAtt': ['Base', 'Value'] }, Fail: 'Delete' }),
        Kept: custom({ Value: 'k' }, { DeletionPolicy: 'RetainExceptOnCreate' }),
        Other: custom({ Value: 'o' }),
      }),
    });

    const result = await h.run({ previous: v1.state });

    expect(result.outcome).toBe('delete failed');
    expect(result.rows.map((r) => [r.logicalId, r.action])).toEqual([['Other', 'deleted'], ['Kept', 'retained'], ['Top', 'failed']]);
    expect(starts(h.lines(), 'Base')).toEqual([['Create', '1', 'base']]);
    expect(Object.keys(result.state!.resources).sort()).toEqual(['Base', 'Top']);
    expect(result.state!.status).toBe('DELETE_FAILED');
  });
});

describe('deliveries', () => {
  test('delivers duplicated and late events to the function and reports every answer, one of them counted', async () => {
    // WHEN A is delivered twice at once, B again after its answer to the same container, C late
    // and again later to another container
    const result = await h.run({
      template: template(h, { A: custom({ Value: 'a' }), B: custom({ Value: 'b' }), C: custom({ Value: 'c' }) }),
      deliver: (e) =>
        e.LogicalResourceId === 'A' ? { duplicate: { when: 'concurrent' } }
          : e.LogicalResourceId === 'B' ? { duplicate: { when: 'after', container: 'same' } }
            : { delayMs: 100, duplicate: { when: 'after', container: 'another', delayMs: 300 } },
    });
    await h.runtime.settled();

    // THEN
    expect(result.outcome).toBe('created');
    const lines = h.lines();
    const requestOf = (id: string) => result.sent.find((e) => e.logicalId === id)!.requestId;
    const startsOf = (id: string) => lines.filter((l) => l.requestId === requestOf(id) && l.at === 'start');
    expect(startsOf('A')).toHaveLength(2);
    expect(new Set(startsOf('A').map((l) => l.pid)).size).toBe(2);
    expect(startsOf('B')).toHaveLength(2);
    expect(new Set(startsOf('B').map((l) => l.pid)).size).toBe(1);
    expect(startsOf('C')).toHaveLength(2);
    expect(new Set(startsOf('C').map((l) => l.pid)).size).toBe(2);
    const answers = (id: string) => h.observed.filter((r) => r.requestId === requestOf(id) && r.kind === 'answer') as Array<{ counted: boolean; late: boolean }>;
    expect(answers('A').map((a) => a.counted).sort()).toEqual([false, true]);
    expect(answers('B').map((a) => [a.counted, a.late])).toEqual([[true, false], [false, true]]);
    expect(answers('C').map((a) => [a.counted, a.late])).toEqual([[true, false], [false, true]]);
    const delivered = h.observed.filter((r) => r.requestId === requestOf('C') && r.kind === 'delivered');
    expect(delivered).toHaveLength(2);
    expectOneConclusionPerEvent(h.observed);
  });
});

test('chooses among ready resources reproducibly with a seeded order', async () => {
  const resources = Object.fromEntries(['A', 'B', 'C', 'D', 'E', 'F'].map((id) => [id, custom({ Value: id })]));
  // One event at a time: the order the events were concluded in is the order they started in.
  const orderOf = async (seed: string, stackName: string) => {
    const r = await h.run({ stackName, template: template(h, resources), concurrency: 1, order: seededOrder(seed) });
    expect(r.outcome).toBe('created');
    return r.sent.map((e) => e.logicalId).join('');
  };

  const [first, again, ...others] = await Promise.all([orderOf('1', 'One'), orderOf('1', 'Again'), orderOf('2', 'Two'), orderOf('3', 'Three'), orderOf('4', 'Four')]);

  expect(again).toBe(first);
  expect([...first].sort().join('')).toBe('ABCDEF');
  // one resource at a time in template order would be ABCDEF; the seeds shuffle it
  expect(new Set([first, ...others]).size).toBeGreaterThan(1);
});

test('runs two stacks at once on one emulator without mixing their answers', async () => {
  const t = (value: string) => template(h, { A: custom({ Value: value }), B: custom({ Value: { 'Fn::GetAtt': ['A', 'Value'] } }) });

  const [one, two] = await Promise.all([h.run({ stackName: 'One', template: t('one') }), h.run({ stackName: 'Two', template: t('two') })]);

  expect(one.state!.resources.B.data.Value).toBe('one');
  expect(two.state!.resources.B.data.Value).toBe('two');
  expect(one.state!.resources.A.physicalId).not.toBe(two.state!.resources.A.physicalId);
  expectOneConclusionPerEvent(h.observed);
});
