import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { api, FINAL_STATUSES, type TaskDetail, unwrap } from '../../api.ts';

/** How long one status request may wait for a change, in seconds (the API allows up to 60). */
const WAIT_SECONDS = '25';

/**
 * A task's detail, kept live with the API's long polling: each request sends the ETag of the last
 * answer and `?wait=`, and the API answers the moment the task changes (304 when it did not).
 * Polling stops once the task rests (counted, completed, failed, cancelled); invalidating the query
 * (after Export, Cancel or Retry) starts it again.
 */
export function useTask(taskId: string) {
  const client = useQueryClient();
  const etag = useRef<string | undefined>(undefined);
  const key = ['task', taskId];
  return useQuery({
    queryKey: key,
    queryFn: async ({ signal }): Promise<TaskDetail> => {
      const previous = client.getQueryData<TaskDetail>(key);
      const conditional = previous !== undefined && etag.current !== undefined;
      const result = await api.GET('/api/v1/status/{task_id}', {
        params: { path: { task_id: taskId }, query: conditional ? { wait: WAIT_SECONDS } : {} },
        headers: conditional ? { 'if-none-match': etag.current } : {},
        // The console's own ETag decides; the browser's cache must not answer for the API.
        cache: 'no-store',
        signal,
      });
      if (result.response.status === 304 && previous) return previous;
      const detail = unwrap(result);
      etag.current = result.response.headers.get('etag') ?? undefined;
      return detail;
    },
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      if (query.state.error) return false;
      return status && FINAL_STATUSES.has(status) ? false : 10;
    },
    refetchOnWindowFocus: false,
  });
}
