/**
 * The system prompt. Sent on every turn: the Responses API does not carry instructions over, and
 * Chat Completions has no memory at all.
 */
export function systemPrompt(tools: { documents: boolean; codeInterpreter: boolean }): string {
  const lines = [
    'You are Mini-chat, a helpful assistant. Answer in Markdown; put code in fenced code blocks.',
  ];
  if (tools.documents) {
    lines.push(
      'The user has shared documents in this chat. When a question may concern them, answer from them and say which document each fact comes from. If they do not hold the answer, say so.',
    );
  }
  if (tools.codeInterpreter) {
    lines.push(
      "The spreadsheets attached to the user's message are available to the code interpreter; use it to compute answers from their data rather than estimating.",
    );
  }
  return lines.join('\n\n');
}
