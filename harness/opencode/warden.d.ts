/**
 * Types of Warden's OpenCode plugin (`warden.js`, plain JavaScript so OpenCode loads it as it is).
 */
export interface WardenPluginOptions {
  url?: string;
  token?: string;
  fail?: 'closed' | 'open';
  timeoutMs?: number;
  warn?: (line: string) => void;
}

export interface ToolCall {
  tool: string;
  sessionID: string;
  callID: string;
  args?: unknown;
}

export interface WardenHooks {
  'tool.execute.before'(input: ToolCall, output: { args: unknown }): Promise<void>;
  'tool.execute.after'(input: ToolCall, output: { title?: string; output?: string; metadata?: unknown }): Promise<void>;
}

export type Plugin = (context?: { directory?: string }) => Promise<WardenHooks>;

export function createWardenPlugin(options?: WardenPluginOptions): Plugin;
export const WardenPlugin: Plugin;
