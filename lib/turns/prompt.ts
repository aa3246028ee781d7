/**
 * The system prompt. Sent on every turn: the Responses API does not carry instructions over, and
 * Chat Completions has no memory at all.
 */
export function systemPrompt(tools: {
  documents: boolean;
  codeInterpreter: boolean;
  /** Images attached to the message that this model cannot see. */
  unseenImages?: number;
}): string {
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
  if (tools.unseenImages) {
    const them = tools.unseenImages === 1 ? 'an image' : `${tools.unseenImages} images`;
    // Without this, a model asked about a picture it never got may describe one anyway.
    lines.push(
      `The user attached ${them} to their message; you cannot see images and receive only the text. If a question concerns an attached image, say that you cannot see it rather than guessing what it shows.`,
    );
  }
  return lines.join('\n\n');
}
