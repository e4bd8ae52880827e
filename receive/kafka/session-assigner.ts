/**
 * The consumer group's partition assigner: a session's partitions stay together, and every
 * member says where its peers can reach it.
 *
 * - Co-partitioned: partition `p` of every subscribed topic goes to the same member (members
 *   sorted by id, `p mod members`). The producer keys each record by session id with one
 *   partitioner, so with equal partition counts a session's spans and logs — and its hook
 *   intents — are all consumed by one instance: the session's owner. (kafkajs's round-robin
 *   assigner deals the topics' partitions out in one sequence, which splits them whenever the
 *   count is not a multiple of the members.)
 * - Advertised: each member puts the URL of its HTTP API in its subscription's `userData`. The
 *   leader, which alone sees every member's subscription, writes the group's directory (member
 *   ids and URLs, sorted) into every member's assignment as one extra entry whose topic name
 *   carries it (`DIRECTORY_PREFIX` + base64url JSON, no partitions). Kafka treats assignments as
 *   opaque bytes; kafkajs drops the entry as an unsubscribed topic and reports its name in the
 *   `RECEIVED_UNSUBSCRIBED_TOPICS` event, where `directoryOf` reads it back. This works on any
 *   broker (DescribeGroups, the other way to read member metadata, is missing from librdkafka's
 *   mock cluster), and every member learns the same directory in the same sync.
 */
import { AssignerProtocol, type Assigner, type PartitionAssigner } from 'kafkajs';

export const SESSION_ASSIGNER_NAME = 'WardenSessionAssigner';
const VERSION = 0;
/** Topic-name prefix of the directory entry in an assignment. */
export const DIRECTORY_PREFIX = '__warden_group_directory.';

/** The group as the leader saw it when it assigned: every member's id and advertised URL. */
export interface GroupDirectory {
  /** Sorted by id: partition p of every topic belongs to members[p mod members.length]. */
  members: Array<{ id: string; url: string }>;
  /** Partition count of each subscribed topic. */
  partitions: Record<string, number>;
}

function directoryEntry(directory: GroupDirectory): string {
  return DIRECTORY_PREFIX + Buffer.from(JSON.stringify(directory), 'utf8').toString('base64url');
}

/** The directory among the topic names of an assignment, or null. */
export function directoryOf(topicNames: readonly string[]): GroupDirectory | null {
  const entry = topicNames.find((t) => t.startsWith(DIRECTORY_PREFIX));
  if (entry === undefined) return null;
  try {
    const parsed = JSON.parse(Buffer.from(entry.slice(DIRECTORY_PREFIX.length), 'base64url').toString('utf8')) as GroupDirectory;
    if (!Array.isArray(parsed.members) || !parsed.members.every((m) => typeof m?.id === 'string' && typeof m.url === 'string')) return null;
    if (typeof parsed.partitions !== 'object' || parsed.partitions === null) return null;
    return { members: parsed.members, partitions: parsed.partitions };
  } catch {
    return null;
  }
}

/** Reads the advertised URL out of a member's subscription metadata ('' when there is none). */
export function advertisedUrlOf(memberMetadata: Buffer): string {
  try {
    const meta = AssignerProtocol.MemberMetadata.decode(memberMetadata);
    return meta?.userData && meta.userData.length > 0 ? meta.userData.toString('utf8') : '';
  } catch {
    return '';
  }
}

/** Partition p of every topic → the same member (sorted ids, p mod n). */
export function coPartitionedAssignment(memberIds: readonly string[], partitionsByTopic: Readonly<Record<string, readonly number[]>>): Map<string, Record<string, number[]>> {
  const sorted = [...memberIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out = new Map<string, Record<string, number[]>>();
  if (sorted.length === 0) return out;
  for (const id of sorted) out.set(id, {});
  for (const [topic, partitions] of Object.entries(partitionsByTopic)) {
    for (const p of [...partitions].sort((a, b) => a - b)) {
      const member = out.get(sorted[p % sorted.length]!)!;
      (member[topic] ??= []).push(p);
    }
  }
  return out;
}

/** The assigner factory for `consumer({ partitionAssigners: [sessionAssigner(() => url)] })`; the URL is read at each join. */
export function sessionAssigner(advertiseUrl: () => string): PartitionAssigner {
  return ({ cluster }): Assigner => ({
    name: SESSION_ASSIGNER_NAME,
    version: VERSION,
    assign: async ({ members, topics }) => {
      const partitionsByTopic: Record<string, number[]> = {};
      for (const topic of topics) partitionsByTopic[topic] = cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId);
      const plan = coPartitionedAssignment(
        members.map((m) => m.memberId),
        partitionsByTopic,
      );
      const directory = directoryEntry({
        members: members.map((m) => ({ id: m.memberId, url: advertisedUrlOf(m.memberMetadata) })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
        partitions: Object.fromEntries(Object.entries(partitionsByTopic).map(([t, ps]) => [t, ps.length])),
      });
      return [...plan].map(([memberId, assignment]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: VERSION, assignment: { ...assignment, [directory]: [] }, userData: Buffer.alloc(0) }),
      }));
    },
    protocol: ({ topics }) => ({
      name: SESSION_ASSIGNER_NAME,
      metadata: AssignerProtocol.MemberMetadata.encode({ version: VERSION, topics, userData: Buffer.from(advertiseUrl(), 'utf8') }),
    }),
  });
}
