import { describe, expect, it } from 'vitest';
import { bodyOf } from '../../src/webhooks/webhook-deliverer.ts';

const completed = JSON.stringify({
  type: 'task.completed',
  timestamp: '2026-12-01T10:00:00.000Z',
  data: { task_id: 't1', status: 'completed', manifest_url: '/api/v1/tasks/t1/manifest' },
});

describe('the body a webhook attempt sends', () => {
  it("makes the stored manifest path absolute with the service's public URL", () => {
    expect(JSON.parse(bodyOf(completed, 'https://audiences.example.com'))).toEqual({
      type: 'task.completed',
      timestamp: '2026-12-01T10:00:00.000Z',
      data: {
        task_id: 't1',
        status: 'completed',
        manifest_url: 'https://audiences.example.com/api/v1/tasks/t1/manifest',
      },
    });
  });

  it('is the same bytes at every attempt, and the stored bytes when there is nothing to expand', () => {
    const base = 'http://127.0.0.1:8080';
    // The stored event's own key order and spacing, with only the link's base added.
    expect(bodyOf(completed, base)).toBe(
      '{"type":"task.completed","timestamp":"2026-12-01T10:00:00.000Z","data":{"task_id":"t1","status":"completed","manifest_url":"http://127.0.0.1:8080/api/v1/tasks/t1/manifest"}}',
    );
    const counted = JSON.stringify({ type: 'task.counted', timestamp: 'x', data: { task_id: 't1' } });
    expect(bodyOf(counted, base)).toBe(counted);
    // Without a public URL (a worker without PUBLIC_URL) the path is sent as stored.
    expect(bodyOf(completed, undefined)).toBe(completed);
  });
});
