"""What happened and who did it, from ``service.action`` (one phrase per registry action kind).

A ``Story`` is the action phrase, the remote side (actor), the word that joins them ("from",
"to", "by") and, for some families, the verb that joins the resource to the action in place of
its role ("made" an API call). Our words are chosen from fixed tables (the finding type's
family name picks e.g. "SSH brute force"); finding text only ever enters as identifiers, or as
untrusted text for what the attacker side controls (DNS request domains, request URIs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.core.read import as_int, as_list, first_object, is_true, objects, scalar
from app.render.details.registry import ACTIONS
from app.render.parts import Parts, ours, untrusted
from app.render.verdict.resource import principal
from app.render.verdict.words import (
    bracketed,
    field,
    ip_of,
    listed,
    plural,
    remote,
    shown,
    word,
)


@dataclass(frozen=True)
class Story:
    action: Parts = ()
    actor: Parts = ()
    remote_ip: str = ""
    link: str = " from "  # joins the action to the actor
    verb: str = ""  # joins the resource to the action instead of its role, when set


@dataclass(frozen=True)
class Context:
    """What the builders need besides their action object."""

    family: str  # the finding type's family name: ``SSHBruteForce`` in ``…/SSHBruteForce``
    role: str  # "target" | "source" | ""
    resource: Mapping[str, Any]
    resource_is_key: bool  # the resource is the access key the calls were made with
    action: Mapping[str, Any]  # ``service.action``, all of it


Builder = Callable[[Mapping[str, Any], Context], Story]


def family_of(finding_type: str) -> str:
    """``Backdoor:EC2/DenialOfService.Tcp`` → ``DenialOfService``."""
    name = finding_type.rsplit("/", 1)[-1]
    for stop in ".!":
        name = name.split(stop, 1)[0]
    return name.strip()


# Network connection families: our noun, and whether the port is worth saying.
_NETWORK: dict[str, tuple[str, bool]] = {
    "DenialOfService": ("DoS traffic", False),
    "SSHBruteForce": ("SSH brute force", True),
    "RDPBruteForce": ("RDP brute force", True),
    "TorClient": ("Tor traffic", True),
    "TorRelay": ("Tor relay traffic", True),
    "BitcoinTool": ("cryptocurrency mining traffic", True),
    "C&CActivity": ("command-and-control traffic", True),
    "Spambot": ("spam traffic", True),
    "BlackholeTraffic": ("traffic to a blackhole IP", True),
    "DropPoint": ("traffic to a drop point", True),
    "UnusualNetworkPort": ("traffic on an unusual port", True),
    "PortSweep": ("port sweep", True),
    "Portscan": ("port scan", True),
}
_DIRECTIONS = {"INBOUND": "inbound", "OUTBOUND": "outbound"}


def _network(action: Mapping[str, Any], context: Context) -> Story:
    direction = scalar(action.get("connectionDirection")).upper()
    outbound = direction == "OUTBOUND" or (direction != "INBOUND" and context.role == "source")
    protocol = shown(word(action.get("protocol")))
    port = field(action, "remotePortDetails" if outbound else "localPortDetails", "port")
    noun, with_port = _NETWORK.get(context.family, ("", True))
    if context.family == "DenialOfService":
        phrase: Parts = (*protocol, ours(" DoS traffic")) if protocol else (ours(noun),)
    elif noun:
        phrase = (ours(noun),)
    else:
        way = _DIRECTIONS.get(direction, "")
        phrase = (
            *((ours(f"{way} "),) if way else ()),
            *((*protocol, ours(" ")) if protocol else ()),
            ours("connection"),
        )
    if with_port and port:
        phrase = (*phrase, ours(" on port "), *shown(port))
    details = action.get("remoteIpDetails")
    return Story(phrase, remote(details), ip_of(details), " to " if outbound else " from ")


def _port_probe(action: Mapping[str, Any], _context: Context) -> Story:
    probes = objects(action.get("portProbeDetails"))
    ports = list(
        dict.fromkeys(p for p in (field(x, "localPortDetails", "port") for x in probes) if p)
    )
    if ports:
        noun = "port probes on port" if len(probes) > 1 else "port probe on port"
        phrase: Parts = (ours(noun + ("s " if len(ports) > 1 else " ")), *listed(ports))
    else:
        phrase = (ours("port probes" if len(probes) > 1 else "port probe"),)
    addresses = list(
        dict.fromkeys(a for a in (ip_of(p.get("remoteIpDetails")) for p in probes) if a)
    )
    first = next(
        (p.get("remoteIpDetails") for p in probes if ip_of(p.get("remoteIpDetails"))), None
    )
    actor = remote(first)
    if len(addresses) > 1:
        actor = (*actor, ours(f" and {plural(len(addresses) - 1, 'more IP', 'more IPs')}"))
    return Story(phrase, actor, addresses[0] if addresses else "")


def _dns(action: Mapping[str, Any], _context: Context) -> Story:
    domain = shown(word(action.get("domain")), untrusted)
    blocked = (ours(" (blocked)"),) if is_true(action.get("blocked")) else ()
    return Story((ours("DNS query for "), *domain, *blocked) if domain else (ours("DNS query"),))


def _caller_source(action: Mapping[str, Any]) -> tuple[Parts, str]:
    """Where API calls came from: the IP, else the remote account or AWS service, else a domain."""
    details = action.get("remoteIpDetails")
    if ip_of(details):
        return remote(details), ip_of(details)
    account = first_object(action.get("remoteAccountDetails"))
    account_id, service = word(account.get("accountId")), word(account.get("awsServiceName"))
    if account_id:
        affiliated = (ours(" (affiliated)"),) if is_true(account.get("affiliated")) else ()
        return (ours("account "), *shown(account_id), *affiliated), ""
    if service:
        return (ours("AWS service "), *shown(service)), ""
    return shown(field(action, "domainDetails", "domain")), ""


def _api_call(action: Mapping[str, Any], context: Context) -> Story:
    api, error = word(action.get("api")), word(action.get("errorCode"))
    phrase: Parts = (ours("API call "), *shown(api)) if api else (ours("API call"),)
    if error:
        phrase = (*phrase, ours(" (error "), *shown(error), ours(")"))
    source, address = _caller_source(action)
    if context.resource_is_key:
        return Story(phrase, source, address, verb=" made ")
    key = first_object(context.resource.get("accessKeyDetails"))
    key_id = word(key.get("accessKeyId"))
    caller = principal(key)
    caller = (*caller, *bracketed(shown(key_id))) if caller else shown(key_id)
    if not caller:
        return Story(phrase, source, address)
    joined = (*caller, ours(" from "), *source) if source else caller
    return Story(phrase, joined, address, " by ")


def kubernetes_user(resource: Mapping[str, Any]) -> Parts:
    """``user system:serviceaccount:ci:deployer`` (``impersonating …``)."""
    user = first_object(
        first_object(resource.get("kubernetesDetails")).get("kubernetesUserDetails")
    )
    name = word(user.get("username"))
    if not name:
        return ()
    impersonated = field(user, "impersonatedUser", "username")
    as_other = (ours(" impersonating "), *shown(impersonated)) if impersonated else ()
    return (ours("user "), *shown(name), *as_other)


def _kubernetes_actor(action: Mapping[str, Any], context: Context, phrase: Parts) -> Story:
    details = action.get("remoteIpDetails")
    address = ip_of(details) or next(
        (w for w in map(word, as_list(action.get("sourceIPs"))) if w), ""
    )
    source = remote(details) if ip_of(details) else shown(address)
    user = kubernetes_user(context.resource)
    if user:
        return Story(phrase, (*user, ours(" from "), *source) if source else user, address, " by ")
    return Story(phrase, source, address)


def _what(action: Mapping[str, Any]) -> Parts:
    """``create pods/exec aws-node-4xq8r in namespace kube-system``."""
    verb, kind = word(action.get("verb")), word(action.get("resource"))
    sub, name = word(action.get("subresource")), word(action.get("resourceName"))
    namespace = word(action.get("namespace"))
    return (
        *((*shown(verb), ours(" ")) if verb and kind else shown(verb)),
        *shown(kind),
        *((ours("/"), *shown(sub)) if sub and kind else ()),
        *((ours(" "), *shown(name)) if name else ()),
        *((ours(" in namespace "), *shown(namespace)) if namespace else ()),
    )


def _binding(binding: Mapping[str, Any], named: str = "") -> Parts:
    """``ci-edit-binding to ClusterRole edit``; without the name when it is ``named`` already."""
    name, role = word(binding.get("name")), word(binding.get("roleRefName"))
    name = "" if name == named else name
    role_kind = word(binding.get("roleRefKind"))
    to_role = (ours(" to "), *((*shown(role_kind), ours(" ")) if role_kind else ()), *shown(role))
    return (*((ours(" "), *shown(name)) if name else ()), *(to_role if role else ()))


def _kubernetes_api(action: Mapping[str, Any], context: Context) -> Story:
    what = _what(action)
    if not what:
        what = shown(word(action.get("requestUri")), untrusted)
    phrase: Parts = (
        (ours("Kubernetes API call "), *what) if what else (ours("Kubernetes API call"),)
    )
    binding = first_object(context.action.get("kubernetesRoleBindingDetails"))
    bound = _binding(binding, named=word(action.get("resourceName")))
    if bound:
        phrase = (*phrase, ours(", binding"), *bound)
    return _kubernetes_actor(action, context, phrase)


def _permission(action: Mapping[str, Any], context: Context) -> Story:
    what = _what(action)
    allowed = action.get("allowed")
    verdict = (
        (ours(" (allowed)"),)
        if is_true(allowed)
        else (ours(" (denied)"),)
        if allowed is False or scalar(allowed).lower() == "false"
        else ()
    )
    phrase: Parts = (
        ours("Kubernetes permission check"),
        *((ours(" "), *what) if what else ()),
        *verdict,
    )
    return _kubernetes_actor(action, context, phrase)


def _role_binding(action: Mapping[str, Any], context: Context) -> Story:
    binding = _binding(action)
    phrase: Parts = (ours("Kubernetes role binding"), *binding)
    return _kubernetes_actor(action, context, phrase)


def _role(action: Mapping[str, Any], context: Context) -> Story:
    kind, name = word(action.get("kind")), word(action.get("name"))
    phrase: Parts = (
        ours("Kubernetes "),
        *(shown(kind) if kind else (ours("role"),)),
        *((ours(" "), *shown(name)) if name else ()),
    )
    return _kubernetes_actor(action, context, phrase)


def _total(attempts: list[Mapping[str, Any]], key: str) -> int:
    return sum(n for a in attempts if (n := as_int(a.get(key))) is not None and n > 0)


def _rds_login(action: Mapping[str, Any], _context: Context) -> Story:
    attempts = objects(action.get("loginAttributes") or action.get("LoginAttributes"))
    failed = _total(attempts, "failedLoginAttempts")
    succeeded = _total(attempts, "successfulLoginAttempts")
    if failed and succeeded:
        counted = f"{failed} failed and {succeeded} successful logins"
    elif failed or succeeded:
        counted = plural(failed, "failed login", "failed logins") if failed else ""
        counted = counted or plural(succeeded, "successful login", "successful logins")
    else:
        counted = "database login attempts"
    users = listed(word(a.get("user")) for a in attempts)
    phrase: Parts = (ours(counted), *((ours(" as "), *users) if users else ()))
    details = action.get("remoteIpDetails")
    return Story(phrase, remote(details), ip_of(details))


BUILDERS: dict[str, Builder] = {
    "networkConnectionAction": _network,
    "portProbeAction": _port_probe,
    "dnsRequestAction": _dns,
    "awsApiCallAction": _api_call,
    "kubernetesApiCallAction": _kubernetes_api,
    "kubernetesPermissionCheckedDetails": _permission,
    "kubernetesRoleBindingDetails": _role_binding,
    "kubernetesRoleDetails": _role,
    "rdsLoginAttemptAction": _rds_login,
}
_BY_ACTION_TYPE = {kind.action_type: kind.member for kind in ACTIONS}
_EMPTY: tuple[Any, ...] = (None, "", [], {})


def action_story(action: Mapping[str, Any], context: Context) -> Story:
    """The story of the action ``actionType`` names, else of the first action object present."""
    named = _BY_ACTION_TYPE.get(scalar(action.get("actionType")).upper())
    members = [named] if named else []
    members += [kind.member for kind in ACTIONS if kind.member != named]
    for name in members:
        value = action.get(name)
        if value in _EMPTY or name not in BUILDERS:
            continue
        story = BUILDERS[name](first_object(value), context)
        if story.action:
            return story
    return Story()
