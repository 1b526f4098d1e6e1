"""The Bluesky reader as it was before the speed work of issue 16 (cascade/io/bluesky.py and
cascade/io/social.py of commit 0eecb32, docstrings left out, as ``ast.unparse`` writes them):
the oracle of tests/test_social_equivalence.py. Not to be changed with the reader."""

# ruff: noqa
# fmt: off
from __future__ import annotations
import math
from collections import Counter
from collections.abc import Iterable
from typing import Any
import numpy as np
from cascade.io.papers import Router, not_a_reply, paper_keys
from cascade.io.records import NO_PAPER, PaperRecords, parse_time, parse_times
from cascade.io.sources import collector_paused
_NAT = np.iinfo(np.int64).min

def is_at_uri(value: Any, collection: str | None=None) -> bool:
    if not isinstance(value, str) or not value.startswith('at://'):
        return False
    parts = value[5:].split('/')
    return len(parts) == 3 and all(parts) and (collection is None or parts[1] == collection)

def at_uri_author(uri: str) -> str:
    return uri[5:].split('/', 1)[0]

def _times(values: list[Any]) -> list[int]:
    strings = [i for i, v in enumerate(values) if v.__class__ is str]
    if len(strings) == len(values):
        return parse_times([v[:-1] if v[-1:] == 'Z' else v for v in values]).tolist()
    out = [_NAT] * len(values)
    if strings:
        for i, t in zip(strings, parse_times([values[i] for i in strings]).tolist()):
            out[i] = t
    for i, v in enumerate(values):
        if v.__class__ is not str and v is not None:
            t = parse_time(v)
            out[i] = _NAT if t is None else t
    return out
_ID, _AUTHOR, _TIME, _UNDATED, _FOLLOWERS, _TEXT, _REF, _KIND, _SUBJECT, _KEYS, _EMBEDDED = range(11)
_NO_KEYS: list[str] = []

class Posts:

    def __init__(self, path: str, paper_id: str | None, platform: str) -> None:
        self.router = Router(path, paper_id)
        self.platform = platform
        self.rows: list[tuple] = []
        self.gone: list[str | None] = []
        self.where: dict[str, int] = {}
        self.handles: dict[str, str] = {}
        self.alias: dict[str, str] = {}
        self.declared: dict[str, tuple[str, str, str, str | None]] = {}

    def add(self, post_id: str, author: Any, time: Any, text: Any='', *, followers: float=math.nan, ref_id: str | None=None, ref_kind: str | None=None, subject: str | None=None, links: Iterable[str]=(), embedded: bool=False, replace: bool=False, undated: bool=False) -> None:
        if text.__class__ is not str:
            text = ''
        at = self.where.get(post_id)
        gone = None
        if at is not None:
            if embedded:
                return
            if self.rows[at][_EMBEDDED]:
                self.gone[at] = 'embedded copy'
            elif replace:
                self.gone[at] = 'replaced by a later update'
            else:
                gone = 'duplicate id'
        if gone is None:
            self.where[post_id] = len(self.rows)
        if ref_kind is None and ref_id is None and ('@' in text):
            ref_kind = not_a_reply(text)
        keys = paper_keys(text, links) if links or '10.' in text or '://' in text else _NO_KEYS
        self.rows.append((post_id, author if author.__class__ is str else '', time, undated, followers, text, ref_id, ref_kind, subject, keys, embedded))
        self.gone.append(gone)

    def delete(self, post_id: str) -> str:
        at = self.where.get(post_id)
        if at is None or self.gone[at] is not None or self.rows[at][_EMBEDDED]:
            return 'delete of a record not in the data'
        self.gone[at] = 'deleted by a later delete event'
        return 'delete (applied)'

    def declare(self, post_id: str, author: str, text: str='', kind: str='original', parent: str | None=None) -> None:
        if post_id not in self.declared:
            self.declared[post_id] = (author, text, kind, parent)

    def _live(self, post_id: str | None) -> int | None:
        at = self.where.get(post_id) if post_id is not None else None
        return at if at is not None and self.gone[at] is None else None

    def route(self) -> list[PaperRecords]:
        router, handles, alias, rows, gone = (self.router, self.handles, self.alias, self.rows, self.gone)
        times = _times([r[_TIME] for r in rows])
        if any((r[_UNDATED] for r in rows)):
            self._drop_undated_repeats()
        fixed = router.fixed is not None
        skipped: Counter[str] = Counter()
        above: dict[str | None, tuple] = {}
        routed: dict[tuple[str, ...], list[PaperRecords]] = {}
        where = self.where
        for i, r in enumerate(rows):
            reason = gone[i]
            embedded = r[_EMBEDDED]
            if reason is not None:
                if not embedded and reason != 'embedded copy':
                    skipped[reason] += 1
                continue
            ref = r[_REF]
            if ref is not None:
                ref = alias.get(ref, ref)
            known = above.get(ref)
            if known is None:
                known = above[ref] = self._above(ref)
            keys = r[_KEYS] or known[0]
            if fixed or keys:
                key = tuple(keys)
                targets = routed.get(key)
                if targets is None:
                    targets = routed[key] = router.route(keys)
            elif ref is not None:
                targets = [router.unplaced]
            else:
                if not embedded:
                    skipped[NO_PAPER] += 1
                continue
            text = r[_TEXT]
            if not text and r[_SUBJECT] is not None:
                shown = where.get(r[_SUBJECT])
                text = rows[shown][_TEXT] if shown is not None and gone[shown] is None else ''
            t: int | None = times[i]
            if t == _NAT and (not r[_UNDATED]):
                t = None
            author = handles.get(r[_AUTHOR], r[_AUTHOR])
            for out in targets:
                kept = out.add(r[_ID], author, t, r[_FOLLOWERS], text, ref_id=ref, ref_kind=r[_KIND], embedded=embedded)
                if kept:
                    for tid, placeholder in known[1]:
                        out.add_placeholder(tid, *placeholder)
        for reason, n in sorted(skipped.items()):
            router.skip(reason, n)
        for out in router.papers.values():
            out.attrs.setdefault('platform', self.platform)
            undated = sum((1 for t in out.time if t == _NAT))
            if undated:
                out.attrs['undated_reposts'] = undated
        return router.results()

    def _above(self, ref: str | None) -> tuple[list[str], list[tuple[str, tuple]]]:
        handles, declared, rows = (self.handles, self.declared, self.rows)
        chain: list[tuple[str, tuple]] = []
        tid, seen = (ref, set[str]())
        while tid is not None and tid in declared and (tid not in seen) and (len(seen) < 1000):
            seen.add(tid)
            author, text, kind, parent = declared[tid]
            shown = self._live(tid)
            if shown is None and kind == 'retweet':
                shown = self._live(parent)
            if not text and shown is not None:
                text = rows[shown][_TEXT]
            chain.append((tid, (handles.get(author, author), text, kind, parent)))
            if self._live(tid) is not None:
                break
            tid = parent
        links: list[str] = _NO_KEYS
        tid, hops = (ref, 0)
        while tid is not None and hops < 1000:
            at = self._live(tid)
            if at is None:
                break
            if rows[at][_KEYS]:
                links = rows[at][_KEYS]
                break
            tid = rows[at][_REF]
            tid = self.alias.get(tid, tid) if tid is not None else None
            hops += 1
        return (links, chain)

    def _drop_undated_repeats(self) -> None:
        handles, rows = (self.handles, self.rows)

        def key(r: tuple) -> tuple[str, str]:
            return (handles.get(r[_AUTHOR], r[_AUTHOR]).lower(), r[_SUBJECT])
        dated = {key(r) for r, g in zip(rows, self.gone) if r[_SUBJECT] is not None and (not r[_UNDATED]) and (g is None)}
        for i, r in enumerate(rows):
            if r[_UNDATED] and self.gone[i] is None and (key(r) in dated):
                self.gone[i] = 'undated repeat of a repost in the data'
from collections.abc import Iterator
from typing import Any, cast
from cascade.io import minet
from cascade.io.records import PaperRecords, parse_followers
NAME = 'bluesky'
GROUPED = True
POST = 'app.bsky.feed.post'
REPOST = 'app.bsky.feed.repost'
_KINDS = ('commit', 'identity', 'account', 'sync')
_NOT_POST = 'not a post or repost'
V2 = 'network.bsky.jetstream.subscribeEvents#'

def _is_event(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    if 'did' in doc and doc.get('kind') in _KINDS and ('time_us' in doc):
        return True
    payload = _v2_payload(doc)
    return payload is not None and 'did' in payload

def _v2_payload(doc: dict) -> dict | None:
    kind = doc.get('$type')
    if kind == 'message':
        doc = doc.get('payload')
        kind = doc.get('$type') if isinstance(doc, dict) else None
    return doc if isinstance(kind, str) and kind.startswith(V2) else None

def _is_post_view(doc: Any) -> bool:
    return isinstance(doc, dict) and is_at_uri(doc.get('uri')) and isinstance(doc.get('record'), dict) and isinstance(doc.get('author'), dict)

def _is_view(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    for key, test in (('posts', _is_post_view), ('feed', lambda d: isinstance(d, dict))):
        items = doc.get(key)
        if isinstance(items, list) and items and test(items[0]):
            return key == 'posts' or _is_post_view(items[0].get('post'))
    thread = doc.get('thread')
    if isinstance(thread, dict) and (_is_post_view(thread.get('post')) or 'notFound' in thread):
        return True
    return isinstance(doc.get('repostedBy'), list) and is_at_uri(doc.get('uri'))

def sniff(doc: Any) -> bool:
    if isinstance(doc, list):
        return bool(doc) and (_is_post_view(doc[0]) or minet.is_post(doc[0]))
    return _is_event(doc) or _is_view(doc) or _is_post_view(doc) or minet.is_post(doc)

def from_documents(docs: Iterator[tuple[int, Any]], path: str, *, paper_id: str | None=None) -> Iterator[PaperRecords]:
    with collector_paused():
        papers = _gather(docs, Posts(path, paper_id, 'bluesky'))
    yield from papers

def _gather(docs: Iterator[tuple[int, Any]], posts: Posts) -> list[PaperRecords]:
    other: Counter[str] = Counter()
    for _, doc in docs:
        if doc.__class__ is dict and 'time_us' in doc:
            kind = doc.get('kind')
            if kind == 'commit':
                c = doc.get('commit')
                collection = c.get('collection') if c.__class__ is dict else None
                if collection == POST or collection == REPOST:
                    c = cast(dict, c)
                    _commit(posts, doc.get('did'), collection, c, us=doc.get('time_us'))
                else:
                    other[_NOT_POST if c.__class__ is dict else 'commit is not an object'] += 1
            elif kind == 'identity':
                _identity(posts, doc.get('did'), doc.get('identity'))
                other['identity event'] += 1
            else:
                other[f'{str(kind)[:20]} event'] += 1
        elif doc.__class__ is dict and '$type' in doc and _v2_event(posts, doc, other):
            pass
        elif isinstance(doc, list):
            for item in doc:
                _one(posts, item)
        else:
            _one(posts, doc)
    for reason, n in sorted(other.items()):
        posts.router.skip(reason, n)
    return posts.route()

def _one(posts: Posts, doc: Any) -> None:
    if _is_post_view(doc):
        _post_view(posts, doc)
    elif minet.is_post(doc):
        minet.add_post(posts, doc)
    elif isinstance(doc, dict) and _is_view(doc):
        _view(posts, doc)
    else:
        posts.router.skip('not a Bluesky post, event or view')

def _v2_event(posts: Posts, doc: dict, other: Counter[str]) -> bool:
    if doc.get('$type') == 'error' and 'error' in doc:
        other['stream error frame'] += 1
        return True
    event = _v2_payload(doc)
    if event is None:
        return False
    kind = event['$type'][len(V2):]
    collection = event.get('collection')
    if kind == 'commit' and (collection == POST or collection == REPOST):
        _commit(posts, event.get('did'), collection, event, iso=event.get('time'))
    elif kind == 'commit':
        other[_NOT_POST] += 1
    else:
        if kind == 'identity':
            _identity(posts, event.get('did'), event.get('identity'))
        other[f'{kind[:20]} event'] += 1
    return True

def _identity(posts: Posts, did: Any, identity: Any) -> None:
    identity = identity if isinstance(identity, dict) else {}
    did, handle = (identity.get('did') or did, identity.get('handle'))
    if isinstance(did, str) and isinstance(handle, str) and handle and (handle != 'handle.invalid'):
        posts.handles[did] = handle

def _commit(posts: Posts, did: Any, collection: str, c: dict, *, us: Any=None, iso: Any=None) -> None:
    rkey, op = (c.get('rkey'), c.get('operation'))
    if did.__class__ is not str or rkey.__class__ is not str or (not did) or (not rkey):
        posts.router.skip('no tweet id')
        return
    uri = f'at://{did}/{collection}/{rkey}'
    if op == 'delete':
        posts.router.skip(posts.delete(uri))
        return
    record = c.get('record')
    if op != 'create' and op != 'update' or type(record) is not dict:
        posts.router.skip(f'commit {str(op)[:20]} without a record')
        return
    time = record.get('createdAt')
    if time.__class__ is not str:
        time = iso if iso.__class__ is str else None
        if isinstance(us, (int, float)) and (not isinstance(us, bool)):
            time = us / 1000000.0
    if collection == POST:
        _post_record(posts, uri, did, time, record, replace=op == 'update')
    else:
        _repost(posts, uri, did, time, record.get('subject'), record.get('via'), op == 'update')

def _ref_uri(ref: Any, collection: str | None=None) -> str | None:
    uri = ref.get('uri') if isinstance(ref, dict) else None
    return uri if is_at_uri(uri, collection) else None

def _repost(posts: Posts, uri: str, author: str, time: Any, subject: Any, via: Any, replace: bool=False) -> None:
    post = _ref_uri(subject, POST)
    if post is None:
        posts.router.skip('repost of something other than a post')
        return
    through = _ref_uri(via, REPOST)
    posts.declare(post, at_uri_author(post))
    if through is not None:
        posts.declare(through, at_uri_author(through), kind='retweet', parent=post)
    posts.add(uri, author, time, ref_id=through or post, ref_kind='retweet', subject=post, replace=replace)

def _links(record: dict, embed: Any=None) -> list[str]:
    out = []
    facets = record.get('facets')
    for facet in facets if isinstance(facets, list) else ():
        features = facet.get('features') if isinstance(facet, dict) else None
        for f in features if isinstance(features, list) else ():
            if isinstance(f, dict) and isinstance(f.get('uri'), str):
                out.append(f['uri'])
    for e in (record.get('embed'), embed):
        if isinstance(e, dict):
            media = e.get('media')
            for holder in (e, media if isinstance(media, dict) else None):
                ext = holder.get('external') if holder else None
                if isinstance(ext, dict) and isinstance(ext.get('uri'), str):
                    out.append(ext['uri'])
    return out

def _quoted(embed: Any) -> tuple[str | None, dict | None]:
    if not isinstance(embed, dict):
        return (None, None)
    inner = embed.get('record')
    if isinstance(inner, dict) and isinstance(inner.get('record'), dict):
        inner = inner['record']
    uri = _ref_uri(inner, POST)
    carried = inner if uri and isinstance(inner, dict) and isinstance(inner.get('value'), dict) else None
    return (uri, carried)

def _post_record(posts: Posts, uri: str, author: str | None, time: Any, record: dict, *, followers: float=math.nan, embed: Any=None, embedded: bool=False, replace: bool=False) -> None:
    quoted, _ = _quoted(record.get('embed'))
    if quoted is None:
        quoted, _ = _quoted(embed)
    reply = record.get('reply')
    parent = _ref_uri(reply.get('parent'), POST) if isinstance(reply, dict) else None
    ref, kind = (quoted, 'quote') if quoted else (parent, 'reply') if parent else (None, None)
    if ref is not None:
        posts.declare(ref, at_uri_author(ref))
    posts.add(uri, author, time, record.get('text'), followers=followers, ref_id=ref, ref_kind=kind, links=_links(record, embed), embedded=embedded, replace=replace)

def _actor(posts: Posts, actor: Any) -> tuple[str | None, float]:
    if not isinstance(actor, dict):
        return (None, math.nan)
    did, handle = (actor.get('did'), actor.get('handle'))
    if isinstance(did, str) and isinstance(handle, str) and handle and (handle != 'handle.invalid'):
        posts.handles[did] = handle
    name = handle if isinstance(handle, str) and handle and (handle != 'handle.invalid') else did
    return (name, parse_followers(actor.get('followersCount')))

def _post_view(posts: Posts, view: Any, *, embedded: bool=False) -> None:
    if not _is_post_view(view):
        if not embedded:
            posts.router.skip('post view without uri, author or record')
        return
    author, followers = _actor(posts, view['author'])
    record = view['record']
    time = record.get('createdAt') if isinstance(record.get('createdAt'), str) else None
    _post_record(posts, view['uri'], author, time or view.get('indexedAt'), record, followers=followers, embed=view.get('embed'), embedded=embedded)
    _, carried = _quoted(view.get('embed'))
    if carried is not None:
        _post_view(posts, carried | {'record': carried['value']}, embedded=True)

def _feed_item(posts: Posts, item: Any) -> None:
    if not isinstance(item, dict) or not _is_post_view(item.get('post')):
        posts.router.skip('feed item without a post view')
        return
    post, reason = (item['post'], item.get('reason'))
    reply = item.get('reply')
    if isinstance(reply, dict):
        for key in ('root', 'parent'):
            _post_view(posts, reply.get(key), embedded=True)
    if not isinstance(reason, dict) or not str(reason.get('$type', '')).endswith('reasonRepost'):
        _post_view(posts, post)
        return
    _post_view(posts, post, embedded=True)
    by, followers = _actor(posts, reason.get('by'))
    repost_id = _ref_uri(reason, REPOST) or _repost_id(post['uri'], reason.get('by'), by)
    posts.add(repost_id, by, reason.get('indexedAt'), followers=followers, ref_id=post['uri'], ref_kind='retweet', subject=post['uri'])

def _repost_id(subject: str, actor: Any, name: Any) -> str:
    did = actor.get('did') if isinstance(actor, dict) else None
    return f'{subject}#reposted-by-{did or name}'

def _thread(posts: Posts, node: Any) -> None:
    stack = [node]
    seen = 0
    while stack and seen < 1000000:
        node = stack.pop()
        seen += 1
        if not isinstance(node, dict) or not _is_post_view(node.get('post')):
            continue
        _post_view(posts, node['post'])
        parent, replies = (node.get('parent'), node.get('replies'))
        if isinstance(parent, dict):
            stack.append(parent)
        if isinstance(replies, list):
            stack.extend(reversed(replies))

def _view(posts: Posts, doc: dict) -> None:
    if isinstance(doc.get('posts'), list):
        for view in doc['posts']:
            _post_view(posts, view)
    if isinstance(doc.get('feed'), list):
        for item in doc['feed']:
            _feed_item(posts, item)
    if isinstance(doc.get('thread'), dict):
        _thread(posts, doc['thread'])
    if isinstance(doc.get('repostedBy'), list) and is_at_uri(doc.get('uri'), POST):
        subject = doc['uri']
        posts.declare(subject, at_uri_author(subject))
        for actor in doc['repostedBy']:
            name, followers = _actor(posts, actor)
            if name is None:
                posts.router.skip('reposter is not a profile view')
                continue
            posts.add(_repost_id(subject, actor, name), name, None, followers=followers, ref_id=subject, ref_kind='retweet', subject=subject, undated=True)
