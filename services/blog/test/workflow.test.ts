import test from 'ava';
import { HTTP_STATUS_OF, type DomainError } from '@vcd/errors';
import { applyAction, changeForUpdate, initialState, type WorkflowState } from '../src/domain/workflow.js';

const now = new Date('2026-01-01T10:00:00.000Z');
const later = new Date('2026-01-01T11:00:00.000Z');
const earlier = new Date('2026-01-01T09:00:00.000Z');
const draft: WorkflowState = { status: 'draft', publishAt: null, publishedAt: null };
const published: WorkflowState = { status: 'published', publishAt: null, publishedAt: earlier };

const fails = (t: import('ava').ExecutionContext, fn: () => unknown, status: number, field?: string) => {
  const err = t.throws(fn) as DomainError;
  t.is(HTTP_STATUS_OF[err.kind], status);
  if (field) t.truthy(err.fields?.[field], `names ${field}`);
};

test('a new article without a status is published at once (what RealWorld clients expect)', (t) => {
  t.deepEqual(initialState({}, now), { status: 'published', publishAt: null, publishedAt: now, becamePublished: true });
});

test('a new article can start as a draft, or scheduled with a future publishAt', (t) => {
  t.deepEqual(initialState({ status: 'draft' }, now), { ...draft, becamePublished: false });
  t.like(initialState({ status: 'scheduled', publishAt: later }, now), { status: 'scheduled', publishAt: later, becamePublished: false });
  t.like(initialState({ publishAt: later }, now), { status: 'scheduled' }, 'publishAt alone schedules');
});

test('a new article cannot be archived, scheduled in the past or without a time, or carry publishAt when not scheduled', (t) => {
  fails(t, () => initialState({ status: 'archived' }, now), 422, 'status');
  fails(t, () => initialState({ status: 'scheduled', publishAt: earlier }, now), 422, 'publishAt');
  fails(t, () => initialState({ status: 'scheduled' }, now), 422, 'publishAt');
  fails(t, () => initialState({ status: 'draft', publishAt: later }, now), 422, 'publishAt');
});

test('the explicit transitions move between the four states', (t) => {
  t.like(applyAction(draft, 'publish', now), { status: 'published', publishedAt: now, becamePublished: true });
  t.like(applyAction(draft, 'schedule', now, later), { status: 'scheduled', publishAt: later });
  t.like(applyAction(published, 'unpublish', now), { status: 'draft', publishAt: null, publishedAt: null, becamePublished: false });
  t.like(applyAction(published, 'archive', now), { status: 'archived' });
  t.like(applyAction({ status: 'archived', publishAt: null, publishedAt: earlier }, 'publish', now), { status: 'published', becamePublished: true });
  t.like(applyAction({ status: 'scheduled', publishAt: later, publishedAt: null }, 'publish', now), { status: 'published', publishAt: null });
});

test('transitions that make no sense from the current state are conflicts', (t) => {
  const err = t.throws(() => applyAction(published, 'publish', now)) as DomainError;
  t.is(HTTP_STATUS_OF[err.kind], 409);
  t.is(err.code, 'BLOG.INVALID_TRANSITION');
  fails(t, () => applyAction(draft, 'unpublish', now), 409);
  fails(t, () => applyAction(published, 'schedule', now, later), 409);
  fails(t, () => applyAction({ status: 'archived', publishAt: null, publishedAt: null }, 'archive', now), 409);
});

test('an update without status or publishAt leaves the workflow alone; the same status is no change', (t) => {
  t.is(changeForUpdate(published, {}, now), undefined);
  t.is(changeForUpdate(published, { status: 'published' }, now), undefined);
});

test('an update can reschedule a scheduled article and move others through the workflow', (t) => {
  const scheduled: WorkflowState = { status: 'scheduled', publishAt: later, publishedAt: null };
  const evenLater = new Date(later.getTime() + 3_600_000);
  t.like(changeForUpdate(scheduled, { publishAt: evenLater }, now), { status: 'scheduled', publishAt: evenLater });
  t.like(changeForUpdate(draft, { status: 'published' }, now), { status: 'published', becamePublished: true });
  t.like(changeForUpdate(published, { status: 'draft' }, now), { status: 'draft' });
  fails(t, () => changeForUpdate(published, { status: 'draft', publishAt: later }, now), 422, 'publishAt');
});
