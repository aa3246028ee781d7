import { expect, it } from 'vitest';
import { startFakeOpenAI } from '../support/fake-openai';

it('truncated multipart', async () => {
  const fake = await startFakeOpenAI();
  const body = `--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhalf a file`;
  const res = await fetch(`${fake.url}/files`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b' }, body });
  console.log('status', res.status, await res.text());
  expect(res.status).toBe(400);
  const ok = await fetch(`${fake.url}/files`);
  expect(ok.status).toBe(200);
  await fake.close();
});
