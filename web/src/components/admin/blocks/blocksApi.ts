// Blocks through the resources API: listed per room, read with who released which date, and
// every change sent with If-Match so a stale one is refused (412), never applied.
import { resourcesApi } from "@/api/client";
import type { Block, BlockBody, BlockSummary } from "@/domain/blocks";

export interface BlockFilter {
  roomId: string | null;
  surgeonId: string | null;
  includeRetired: boolean;
}

// The API's largest page: a hospital has tens of blocks per room, not hundreds.
const ALL = 500;
const ifMatch = (version: number) => ({ "if-match": `"${version}"` });

export async function listBlocks(filter: BlockFilter): Promise<{ items: BlockSummary[]; total: number }> {
  const query = {
    limit: ALL,
    include_retired: filter.includeRetired,
    ...(filter.roomId ? { room_id: filter.roomId } : {}),
    ...(filter.surgeonId ? { surgeon_id: filter.surgeonId } : {}),
  };
  const page = (await resourcesApi.GET("/blocks", { params: { query } })).data!;
  return { items: page.items, total: page.total };
}

export async function readBlock(id: string): Promise<Block> {
  return (await resourcesApi.GET("/blocks/{block_id}", { params: { path: { block_id: id } } })).data!;
}

export async function createBlock(body: BlockBody): Promise<Block> {
  return (await resourcesApi.POST("/blocks", { body })).data!;
}

export async function replaceBlock(id: string, body: BlockBody, etag: string): Promise<Block> {
  return (await resourcesApi.PUT("/blocks/{block_id}", { params: { path: { block_id: id }, header: { "if-match": etag } }, body })).data!;
}

export async function releaseOccurrence(block: Pick<Block, "block_id" | "version">, date: string, reason: string | null): Promise<Block> {
  const params = { path: { block_id: block.block_id }, header: ifMatch(block.version) };
  return (await resourcesApi.POST("/blocks/{block_id}/releases", { params, body: { date, reason } })).data!;
}

export async function retireBlock(block: Pick<Block, "block_id" | "version">): Promise<Block> {
  const params = { path: { block_id: block.block_id }, header: ifMatch(block.version) };
  return (await resourcesApi.POST("/blocks/{block_id}/retire", { params })).data!;
}
