"""The action phrase of the verdict, exactly (``action_story``): what happened, who did it, the
word that joins them and the remote IP, per action kind."""

from __future__ import annotations

from typing import Any

from app.render.parts import Parts
from app.render.verdict.action import Context, action_story, kubernetes_user

REMOTE = {
    "ipAddressV4": "198.51.100.7",
    "organization": {"org": "Example Telecom"},
    "country": {"countryCode": "DE"},
}


def _text(parts: Parts) -> str:
    return "".join(p.text for p in parts)


def story(
    action: dict[str, Any],
    *,
    family: str = "",
    role: str = "",
    resource: dict[str, Any] | None = None,
    resource_is_key: bool = False,
) -> tuple[str, str, str, str, str]:
    context = Context(family, role, resource or {}, resource_is_key, action)
    told = action_story(action, context)
    return _text(told.action), _text(told.actor), told.remote_ip, told.link, told.verb


def test_network_connection_by_family_direction_and_port() -> None:
    inbound = {
        "networkConnectionAction": {
            "connectionDirection": "INBOUND",
            "protocol": "TCP",
            "localPortDetails": {"port": 22},
            "remotePortDetails": {"port": 40000},
            "remoteIpDetails": REMOTE,
        }
    }
    assert story(inbound, family="SSHBruteForce") == (
        "SSH brute force on port 22",
        "198.51.100.7 (Example Telecom, DE)",
        "198.51.100.7",
        " from ",
        "",
    )
    assert story(inbound, family="Other") == (
        "inbound TCP connection on port 22",
        "198.51.100.7 (Example Telecom, DE)",
        "198.51.100.7",
        " from ",
        "",
    )
    assert story(inbound, family="DenialOfService")[0] == "TCP DoS traffic"
    outbound = {"networkConnectionAction": {**inbound["networkConnectionAction"]}}
    outbound["networkConnectionAction"]["connectionDirection"] = "OUTBOUND"
    told = story(outbound, family="C&CActivity")
    assert told[0] == "command-and-control traffic on port 40000" and told[3] == " to "
    # no direction: the resource's role decides (a source connects out)
    unknown = {"networkConnectionAction": {**inbound["networkConnectionAction"]}}
    del unknown["networkConnectionAction"]["connectionDirection"]
    assert story(unknown, role="source")[0::3] == ("TCP connection on port 40000", " to ")
    assert story(unknown, role="target")[0::3] == ("TCP connection on port 22", " from ")
    # a stated direction wins over the role
    assert story(inbound, role="source")[0::3] == ("inbound TCP connection on port 22", " from ")
    bare = {"networkConnectionAction": {"remoteIpDetails": REMOTE}}
    assert story(bare, family="DenialOfService")[0] == "DoS traffic"
    assert story(bare)[0] == "connection"


def test_port_probes_ports_and_other_ips() -> None:
    def probe(port: int, ip: str) -> dict[str, Any]:
        return {"localPortDetails": {"port": port}, "remoteIpDetails": {"ipAddressV4": ip}}

    one = {"portProbeAction": {"portProbeDetails": [probe(22, "198.51.100.1")]}}
    assert story(one)[:3] == ("port probe on port 22", "198.51.100.1", "198.51.100.1")
    same_port = [probe(22, "198.51.100.1"), probe(22, "198.51.100.2"), probe(22, "198.51.100.3")]
    assert story({"portProbeAction": {"portProbeDetails": same_port}})[:3] == (
        "port probes on port 22",
        "198.51.100.1 and 2 more IPs",
        "198.51.100.1",
    )
    two_ports = [probe(22, "198.51.100.1"), probe(3389, "198.51.100.1")]
    assert story({"portProbeAction": {"portProbeDetails": two_ports}})[:2] == (
        "port probes on ports 22, 3389",
        "198.51.100.1",
    )
    other = [{"localPortDetails": {}}, probe(80, "198.51.100.9"), probe(81, "198.51.100.8")]
    assert story({"portProbeAction": {"portProbeDetails": other}})[:3] == (
        "port probes on ports 80, 81",
        "198.51.100.9 and 1 more IP",
        "198.51.100.9",
    )
    no_ports = {"portProbeAction": {"portProbeDetails": [{}, {}]}}
    assert story(no_ports)[:3] == ("port probes", "", "")
    assert story({"portProbeAction": {"portProbeDetails": [{"x": 1}]}})[:3] == (
        "port probe",
        "",
        "",
    )


def test_dns_query_domain_and_blocked() -> None:
    assert story({"dnsRequestAction": {"domain": "evil.test", "blocked": True}})[0] == (
        "DNS query for evil.test (blocked)"
    )
    assert story({"dnsRequestAction": {"domain": "evil.test", "blocked": False}})[0] == (
        "DNS query for evil.test"
    )
    assert story({"dnsRequestAction": {"protocol": "UDP"}})[0] == "DNS query"


def test_api_call_source_ip_then_account_then_service_then_domain() -> None:
    key = {"accessKeyDetails": {"accessKeyId": "AKIAX", "userName": "u", "userType": "IAMUser"}}
    call = {"api": "GetObject", "errorCode": "AccessDenied", "remoteIpDetails": REMOTE}
    assert story({"awsApiCallAction": call}, resource=key) == (
        "API call GetObject (error AccessDenied)",
        "user u (AKIAX) from 198.51.100.7 (Example Telecom, DE)",
        "198.51.100.7",
        " by ",
        "",
    )
    assert story({"awsApiCallAction": call}, resource=key, resource_is_key=True) == (
        "API call GetObject (error AccessDenied)",
        "198.51.100.7 (Example Telecom, DE)",
        "198.51.100.7",
        " from ",
        " made ",
    )
    account = {
        "api": "A",
        "remoteAccountDetails": {"accountId": "111122223333", "affiliated": True},
    }
    assert story({"awsApiCallAction": account})[:4] == (
        "API call A",
        "account 111122223333 (affiliated)",
        "",
        " from ",
    )
    account["remoteAccountDetails"]["affiliated"] = False
    assert story({"awsApiCallAction": account})[1] == "account 111122223333"
    service = {"remoteAccountDetails": {"awsServiceName": "s3.amazonaws.com"}}
    assert story({"awsApiCallAction": service})[:3] == (
        "API call",
        "AWS service s3.amazonaws.com",
        "",
    )
    # no access key to name the caller: the source alone, with its IP
    assert story({"awsApiCallAction": call})[1:4] == (
        "198.51.100.7 (Example Telecom, DE)",
        "198.51.100.7",
        " from ",
    )
    domain = {"api": "A", "domainDetails": {"domain": "cloudtrail.amazonaws.com"}}
    assert story({"awsApiCallAction": domain})[:2] == ("API call A", "cloudtrail.amazonaws.com")
    only_key = {"accessKeyDetails": {"accessKeyId": "AKIAX"}}
    assert story({"awsApiCallAction": {"api": "A"}}, resource=only_key)[1:4] == (
        "AKIAX",
        "",
        " by ",
    )


def test_kubernetes_user_and_impersonation() -> None:
    resource = {
        "kubernetesDetails": {
            "kubernetesUserDetails": {
                "username": "dev",
                "impersonatedUser": {"username": "system:admin"},
            }
        }
    }
    assert _text(kubernetes_user(resource)) == "user dev impersonating system:admin"
    resource["kubernetesDetails"]["kubernetesUserDetails"] = {"username": "dev"}
    assert _text(kubernetes_user(resource)) == "user dev"
    assert kubernetes_user({"kubernetesDetails": {"kubernetesUserDetails": {}}}) == ()


def test_kubernetes_api_call_what_binding_and_actor() -> None:
    resource = {"kubernetesDetails": {"kubernetesUserDetails": {"username": "dev"}}}
    call = {
        "verb": "create",
        "resource": "pods",
        "subresource": "exec",
        "resourceName": "aws-node-4xq8r",
        "namespace": "kube-system",
        "sourceIPs": ["", "203.0.113.9"],
    }
    assert story({"kubernetesApiCallAction": call}, resource=resource) == (
        "Kubernetes API call create pods/exec aws-node-4xq8r in namespace kube-system",
        "user dev from 203.0.113.9",
        "203.0.113.9",
        " by ",
        "",
    )
    assert story({"kubernetesApiCallAction": {"verb": "get"}})[:3] == (
        "Kubernetes API call get",
        "",
        "",
    )
    assert story({"kubernetesApiCallAction": {"subresource": "exec", "remoteIpDetails": REMOTE}})[
        :4
    ] == ("Kubernetes API call", "198.51.100.7 (Example Telecom, DE)", "198.51.100.7", " from ")
    bound = {
        "kubernetesApiCallAction": {
            "verb": "create",
            "resource": "rolebindings",
            "resourceName": "rb",
        },
        "kubernetesRoleBindingDetails": {
            "name": "rb",
            "roleRefKind": "ClusterRole",
            "roleRefName": "edit",
        },
    }
    assert story(bound, resource=resource)[:2] == (
        "Kubernetes API call create rolebindings rb, binding to ClusterRole edit",
        "user dev",
    )
    bound["kubernetesRoleBindingDetails"] = {"name": "other", "roleRefName": "edit"}
    assert story(bound)[0] == ("Kubernetes API call create rolebindings rb, binding other to edit")


def test_kubernetes_permission_check_allowed_or_denied() -> None:
    check = {"verb": "list", "resource": "secrets", "namespace": "prod", "allowed": True}
    assert story({"kubernetesPermissionCheckedDetails": check})[0] == (
        "Kubernetes permission check list secrets in namespace prod (allowed)"
    )
    check["allowed"] = False
    assert story({"kubernetesPermissionCheckedDetails": check})[0] == (
        "Kubernetes permission check list secrets in namespace prod (denied)"
    )
    check["allowed"] = "FALSE"
    assert story({"kubernetesPermissionCheckedDetails": check})[0].endswith(" (denied)")
    assert story({"kubernetesPermissionCheckedDetails": {"allowed": None, "x": 1}})[0] == (
        "Kubernetes permission check"
    )


def test_kubernetes_role_and_role_binding() -> None:
    assert story({"kubernetesRoleDetails": {"kind": "ClusterRole", "name": "admin"}})[0] == (
        "Kubernetes ClusterRole admin"
    )
    assert story({"kubernetesRoleDetails": {"name": "admin"}})[0] == "Kubernetes role admin"
    assert story({"kubernetesRoleDetails": {"uid": "u"}})[0] == "Kubernetes role"
    binding = {"name": "rb", "roleRefKind": "Role", "roleRefName": "r"}
    assert story({"kubernetesRoleBindingDetails": binding})[0] == (
        "Kubernetes role binding rb to Role r"
    )
    assert story({"kubernetesRoleBindingDetails": {"name": "rb"}})[0] == (
        "Kubernetes role binding rb"
    )
    # any name is shown (only an API call's own resource name is not repeated)
    assert story({"kubernetesRoleBindingDetails": {"name": "XXXX"}})[0] == (
        "Kubernetes role binding XXXX"
    )


def test_rds_login_counts_and_users() -> None:
    def login(**attempt: Any) -> dict[str, Any]:
        return {"rdsLoginAttemptAction": {"loginAttributes": [attempt], "remoteIpDetails": REMOTE}}

    assert story(login(user="admin", failedLoginAttempts=3, successfulLoginAttempts=1))[:3] == (
        "3 failed and 1 successful logins as admin",
        "198.51.100.7 (Example Telecom, DE)",
        "198.51.100.7",
    )
    assert story(login(failedLoginAttempts=1))[0] == "1 failed login"
    assert story(login(failedLoginAttempts=2, successfulLoginAttempts=-1))[0] == "2 failed logins"
    assert story(login(successfulLoginAttempts=1))[0] == "1 successful login"
    assert story(login(successfulLoginAttempts=4))[0] == "4 successful logins"
    assert story(login(user="a"))[0] == "database login attempts as a"
    api_spelling = {"rdsLoginAttemptAction": {"LoginAttributes": [{"failedLoginAttempts": 2}]}}
    assert story(api_spelling)[0] == "2 failed logins"
    several = {
        "rdsLoginAttemptAction": {
            "loginAttributes": [
                {"user": "a", "failedLoginAttempts": 2},
                {"user": "b", "failedLoginAttempts": "3"},
            ]
        }
    }
    assert story(several)[0] == "5 failed logins as a, b"


def test_the_named_action_comes_first_else_the_registry_order() -> None:
    both = {
        "actionType": "dns_request",
        "networkConnectionAction": {"protocol": "TCP"},
        "dnsRequestAction": {"domain": "evil.test"},
    }
    assert story(both)[0] == "DNS query for evil.test"
    both["actionType"] = "ODD"
    assert story(both)[0] == "TCP connection"
    assert story({"actionType": "DNS_REQUEST", "dnsRequestAction": {}}) == (
        "",
        "",
        "",
        " from ",
        "",
    )
