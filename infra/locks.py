"""A Redis lock store that really serialises one conversation across Rasa replicas.

Rasa's ``RedisLockStore`` keeps one JSON "ticket lock" per conversation and changes it in
Python: GET, modify, SET. Two replicas that receive messages of the same citizen at the
same moment both read the same lock, both append ticket N and both write it back: both
hold "ticket N", both process at once, and one answer or event is lost. Removing a ticket
and deleting an empty lock race in the same way.

``AtomicRedisLockStore`` keeps Rasa's key layout and JSON format (so ``get_lock`` and
Rasa's waiting loop are unchanged) but makes every change one Lua script, which Redis runs
atomically: issuing a ticket, removing a ticket (and deleting the lock once nobody waits),
dropping expired tickets and saving a lock. Ticket expiry is computed on Redis's clock
(``TIME``), one clock for all replicas. Every key gets a TTL, so the lock of a replica that
died disappears by itself. Every Redis call has a socket timeout (connect and read): a hung
Redis gives an error, not a conversation blocked forever.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Optional

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 5.0

# Shared Lua helpers. A lock is {"conversation_id": id, "tickets": ["<ticket json>", ...]}
# exactly as rasa.core.lock.TicketLock.dumps() writes it; a ticket is {number, expires}.
_LUA_COMMON = """
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1000000
end

local function load(key)
  local raw = redis.call('GET', key)
  local tickets = {}
  if raw then
    local data = cjson.decode(raw)
    if type(data['tickets']) == 'table' then
      for _, serialised in ipairs(data['tickets']) do
        table.insert(tickets, cjson.decode(serialised))
      end
    end
  end
  return tickets
end

local function live(tickets, t)
  local kept = {}
  for _, ticket in ipairs(tickets) do
    if tonumber(ticket['expires']) >= t then table.insert(kept, ticket) end
  end
  return kept
end

local function store(key, conversation_id, tickets, t)
  if #tickets == 0 then
    redis.call('DEL', key)
    return
  end
  local serialised = {}
  local last_expiry = t
  for i, ticket in ipairs(tickets) do
    serialised[i] = cjson.encode({number = ticket['number'], expires = ticket['expires']})
    if tonumber(ticket['expires']) > last_expiry then last_expiry = tonumber(ticket['expires']) end
  end
  local ttl = math.ceil((last_expiry - t) * 1000) + 1000
  redis.call('SET', key,
    cjson.encode({conversation_id = conversation_id, tickets = serialised}), 'PX', ttl)
end
"""

# KEYS[1] lock key; ARGV[1] conversation id, ARGV[2] lifetime (s). Returns the ticket number.
_ISSUE = (
    _LUA_COMMON
    + """
local t = now()
local tickets = live(load(KEYS[1]), t)
local number = 0
if #tickets > 0 then number = tonumber(tickets[#tickets]['number']) + 1 end
table.insert(tickets, {number = number, expires = t + tonumber(ARGV[2])})
store(KEYS[1], ARGV[1], tickets, t)
return number
"""
)

# KEYS[1] lock key; ARGV[1] conversation id, ARGV[2] ticket number to remove (or '' for
# none: only expired tickets go). Deletes the lock when no ticket is left. Returns how many
# tickets are left.
_REMOVE = (
    _LUA_COMMON
    + """
local t = now()
local kept = {}
for _, ticket in ipairs(live(load(KEYS[1]), t)) do
  if ARGV[2] == '' or tonumber(ticket['number']) ~= tonumber(ARGV[2]) then
    table.insert(kept, ticket)
  end
end
store(KEYS[1], ARGV[1], kept, t)
return #kept
"""
)

# KEYS[1] lock key; ARGV[1] conversation id, ARGV[2] the lock's tickets as a JSON list of
# {number, expires}. Writes them (without expired ones) or deletes the lock, in one step.
_SAVE = (
    _LUA_COMMON
    + """
local t = now()
store(KEYS[1], ARGV[1], live(cjson.decode(ARGV[2]), t), t)
return 1
"""
)


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store with atomic ticket operations and bounded Redis calls.

    Args:
        host: Redis host.
        port: Redis port.
        db: Redis database number.
        username: Redis user (ACL), if any.
        password: Redis password, if any.
        use_ssl: Whether to use TLS (``rediss://``).
        key_prefix: Alphanumeric prefix of the lock keys (``<prefix>:lock:<id>``).
        socket_timeout: Seconds a connect or a command may take before it fails.
        **kwargs: Further ``RedisLockStore`` arguments (TLS files).
    """

    def __init__(
        self,
        host: str = "localhost",
        port: int = 6379,
        db: int = 0,
        username: Optional[str] = None,
        password: Optional[str] = None,
        use_ssl: bool = False,
        key_prefix: Optional[str] = None,
        socket_timeout: float = DEFAULT_TIMEOUT_SECONDS,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            host=host,
            port=port,
            db=db,
            username=username,
            password=password,
            use_ssl=use_ssl,
            key_prefix=key_prefix,
            socket_timeout=socket_timeout,
            **kwargs,
        )
        # redis-py uses socket_timeout for connecting too (socket_connect_timeout unset),
        # and does not retry a timed-out command: each call is bounded by socket_timeout.
        self._issue = self.red.register_script(_ISSUE)
        self._remove = self.red.register_script(_REMOVE)
        self._save = self.red.register_script(_SAVE)

    def _key(self, conversation_id: str) -> str:
        return self.key_prefix + conversation_id

    def issue_ticket(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME
    ) -> int:
        """Appends a ticket to the conversation's queue atomically; returns its number.

        Raises:
            LockError: Redis failed or did not answer within the socket timeout.
        """
        try:
            number = self._issue(
                keys=[self._key(conversation_id)],
                args=[conversation_id, float(lock_lifetime)],
            )
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        logger.debug("Issued ticket %s for conversation '%s'.", number, conversation_id)
        return int(number)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Removes the ticket atomically (and the lock when no one else waits)."""
        self._remove(
            keys=[self._key(conversation_id)], args=[conversation_id, ticket_number]
        )

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Removes the ticket and, if nobody waits, the lock, in one atomic step.

        Rasa's version checks "someone waiting?" and deletes afterwards: a ticket issued
        in between by another replica would be deleted with the lock.
        """
        remaining = self._remove(
            keys=[self._key(conversation_id)], args=[conversation_id, ticket_number]
        )
        if not remaining:
            self._log_deletion(conversation_id, deletion_successful=True)

    def update_lock(self, conversation_id: str) -> None:
        """Drops expired tickets atomically."""
        self._remove(keys=[self._key(conversation_id)], args=[conversation_id, ""])

    def save_lock(self, lock: TicketLock) -> None:
        """Writes the lock (with a TTL) or deletes it when it has no live ticket, atomically."""
        tickets = [t.as_dict() for t in lock.tickets]
        self._save(
            keys=[self._key(lock.conversation_id)],
            args=[lock.conversation_id, json.dumps(tickets)],
        )
