// Types of trust.mjs (plain JavaScript, so the browser benchmarks' .mjs scripts import it too).
export declare const GATEWAY_CA: string;
export declare function browserHome(ca?: string): string;
