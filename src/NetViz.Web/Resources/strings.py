# The dashboard's strings in English and Korean. Run `python3 src/NetViz.Web/Resources/strings.py` to write
# SharedResource.resx and SharedResource.ko.resx from this table (both are committed; this is their source).
# Korean uses the terms of the lesson (shared/seed): 네트워크 네임스페이스, 브리지, veth 페어.
import os
from xml.sax.saxutils import escape

S = {
    # shell
    "Nav.Topology": ("Topology", "토폴로지"),
    "Nav.Containers": ("Containers", "컨테이너"),
    "Nav.Networks": ("Networks", "네트워크"),
    "Nav.Nat": ("NAT rules", "NAT 규칙"),
    "Nav.Toggle": ("Toggle navigation", "메뉴 열기/닫기"),
    "Theme.Light": ("Light theme", "밝은 테마"),
    "Theme.Dark": ("Dark theme", "어두운 테마"),
    "Theme.Normal": ("Normal size", "보통 크기"),
    "Theme.Projector": ("Projector mode: bigger text, high contrast", "프로젝터 모드: 큰 글자, 높은 대비"),
    "Language.Label": ("Language", "언어"),
    # live status in the app bar
    "Status.DockerAt": ("Docker engine at {0}", "Docker 엔진: {0}"),
    "Status.DockerDown": ("Docker unavailable", "Docker에 연결할 수 없음"),
    "Status.NetlinkDown": ("netlink unavailable", "netlink를 읽을 수 없음"),
    "Status.NatIncomplete": ("NAT rules incomplete", "NAT 규칙 일부만 읽음"),
    "Status.NatDown": ("NAT rules unavailable", "NAT 규칙을 읽을 수 없음"),
    "Status.Warning": ("{0} warning", "경고 {0}개"),
    "Status.Warnings": ("{0} warnings", "경고 {0}개"),
    "Status.WarningsTitle": ("What NetViz could not read on this host", "NetViz가 이 host에서 읽지 못한 것"),
    "Status.WarningsRest": ("Everything else is shown as usual.", "나머지는 평소처럼 보입니다."),
    "Status.CloseWarnings": ("Close warnings", "경고 닫기"),
    "Status.Resume": ("Resume live updates", "실시간 갱신 다시 시작"),
    "Status.Pause": ("Pause live updates", "실시간 갱신 멈춤"),
    # topology page
    "Topology.PageTitle": ("NetViz: topology", "NetViz: 토폴로지"),
    "Topology.Graph": ("Graph", "그래프"),
    "Topology.HidePanel": ("Hide this panel (the graph gets the width)", "이 패널 숨기기 (그래프가 넓어집니다)"),
    "Topology.ShowPanel": ("Search, filters and legend", "검색, 필터, 범례"),
    "Topology.Search": ("Search names, IPs, MACs  ( / )", "이름, IP, MAC 검색  ( / )"),
    "Topology.Matches": ("{0} matches", "{0}개 일치"),
    "Topology.Show": ("Show", "보기"),
    "Topology.Everything": ("Everything", "전체"),
    "Topology.ShowLesson": ("The lesson: none, host, bridge, ip netns", "강의: none, host, bridge, ip netns"),
    "Topology.ShowSelection": ("The selection and its neighbours", "선택한 요소와 이웃"),
    "Topology.Loopbacks": ("Loopbacks", "Loopback"),
    "Topology.HostDevices": ("Host physical interfaces", "Host 물리 인터페이스"),
    "Topology.NatRules": ("NAT rules", "NAT 규칙"),
    "Topology.Layout": ("Layout", "배치"),
    "Topology.Fit": ("Fit (F)", "맞추기 (F)"),
    "Topology.Keyboard": ("Keyboard: click the graph or Tab to it, then arrows or Tab select, Enter opens details, Esc closes them.",
                          "키보드: 그래프를 클릭하거나 Tab으로 이동한 뒤 화살표나 Tab으로 선택, Enter로 상세 보기, Esc로 닫기."),
    "Topology.GraphError": ("The graph could not be drawn: {0}", "그래프를 그릴 수 없습니다: {0}"),
    # lesson
    "Lesson.Open": ("Lesson", "강의"),
    "Lesson.Title": ("Lesson on this host", "이 host에서 배우기"),
    "Lesson.StepOf": ("Step {0} of {1}", "{1}단계 중 {0}단계"),
    "Lesson.Back": ("Back", "이전"),
    "Lesson.Next": ("Next", "다음"),
    "Lesson.Close": ("Close the lesson", "강의 닫기"),
    "Lesson.Steps": ("Steps", "단계"),
    "Lesson.Commands": ("Try it (real values of this host):", "직접 해 보기 (이 host의 실제 값):"),
    "Lesson.Missing": ("This host has no example of this yet. Build one with:", "이 host에는 아직 예가 없습니다. 다음 명령으로 만드세요:"),
    "Lesson.Keys": ("← → or the buttons move between steps.", "← → 또는 버튼으로 단계를 이동합니다."),
    "Lesson.Error": ("The lesson could not be read: {0}", "강의 파일을 읽을 수 없습니다: {0}"),
    # timeline
    "Timeline.Title": ("Timeline", "타임라인"),
    "Timeline.Empty": ("No change yet. Run a container (docker run -p ...) and watch it appear here.", "아직 변화가 없습니다. container를 실행해 보세요 (docker run -p ...)."),
    "Timeline.More": ("{0} (+{1} more)", "{0} (+{1}개 더)"),
    "Timeline.Replay": ("Replay", "재생"),
    "Timeline.Stop": ("Stop", "정지"),
    "Timeline.Back": ("Previous step", "이전 단계"),
    "Timeline.Next": ("Next step", "다음 단계"),
    "Timeline.Export": ("Export as text", "텍스트로 내보내기"),
    "Timeline.Causes": ("Why NetViz looked: {0}", "NetViz가 확인한 이유: {0}"),
    "Timeline.Episodes": ("{0} episodes, {1} changes kept", "에피소드 {0}개, 변경 {1}개 보관"),
    # timeline steps (args as ChangeNarrator gives them)
    "Step.container-created": ("container {0} ({1}) created, {2}, network mode {3}", "container {0} ({1}) 생성, {2}, 네트워크 모드 {3}"),
    "Step.container-started": ("container {0} started", "container {0} 시작"),
    "Step.container-stopped": ("container {0} is {1}", "container {0}: {1}"),
    "Step.container-removed": ("container {0} removed", "container {0} 삭제"),
    "Step.network-created": ("Docker network {0} created ({1}, {2})", "Docker 네트워크 {0} 생성 ({1}, {2})"),
    "Step.network-removed": ("Docker network {0} removed", "Docker 네트워크 {0} 삭제"),
    "Step.netns-created": ("network namespace {0} created {1}", "네트워크 네임스페이스 {0} 생성 {1}"),
    "Step.netns-removed": ("network namespace {0} gone {1}", "네트워크 네임스페이스 {0} 사라짐 {1}"),
    "Step.link-created": ("{0} {1} created in the host namespace", "host 네임스페이스에 {0} {1} 생성"),
    "Step.link-in-netns": ("{0} {1} placed in network namespace {2}", "{0} {1}이(가) 네트워크 네임스페이스 {2}로 이동"),
    "Step.link-removed": ("{0} {1} removed (namespace {2})", "{0} {1} 삭제 (네임스페이스 {2})"),
    "Step.link-up": ("{0} is up", "{0} up"),
    "Step.link-down": ("{0} is down", "{0} down"),
    "Step.veth-paired": ("veth pair {0} ↔ {1}", "veth 페어 {0} ↔ {1}"),
    "Step.enslaved": ("{0} enslaved to {1} {2}", "{0}이(가) {1} {2}에 연결됨"),
    "Step.released": ("{0} released from {1} {2}", "{0}이(가) {1} {2}에서 분리됨"),
    "Step.address-added": ("{0} assigned to {1}", "{1}에 {0} 할당"),
    "Step.address-removed": ("{0} removed from {1}", "{1}에서 {0} 제거"),
    "Step.route-added": ("route {0} added (namespace {1})", "라우트 {0} 추가 (네임스페이스 {1})"),
    "Step.route-removed": ("route {0} removed (namespace {1})", "라우트 {0} 제거 (네임스페이스 {1})"),
    "Step.nat-added": ("NAT rule added: {0}", "NAT 규칙 추가: {0}"),
    "Step.nat-removed": ("NAT rule removed: {0}", "NAT 규칙 제거: {0}"),
    "Step.more": ("… and {0} more changes", "… 그 밖에 변경 {0}개"),
    # table pages
    "Containers.PageTitle": ("NetViz: containers", "NetViz: 컨테이너"),
    "Containers.Heading": ("Containers", "컨테이너"),
    "Table.Name": ("Name", "이름"),
    "Table.Image": ("Image", "이미지"),
    "Table.State": ("State", "상태"),
    "Table.Network mode": ("Network mode", "네트워크 모드"),
    "Table.Network namespace": ("Network namespace", "네트워크 네임스페이스"),
    "Table.IPs per network": ("IPs per network", "네트워크별 IP"),
    "Table.Ports": ("Ports", "포트"),
    "Table.PID": ("PID", "PID"),
    "Networks.PageTitle": ("NetViz: networks", "NetViz: 네트워크"),
    "Networks.Heading": ("Docker networks", "Docker 네트워크"),
    "Table.Driver": ("Driver", "드라이버"),
    "Table.Bridge": ("Bridge", "브리지"),
    "Table.Subnets": ("Subnets", "서브넷"),
    "Table.Gateways": ("Gateways", "게이트웨이"),
    "Table.Internal": ("Internal", "내부 전용"),
    "Table.Containers": ("Containers", "컨테이너"),
    "NatRules.PageTitle": ("NetViz: NAT rules", "NetViz: NAT 규칙"),
    "NatRules.Heading": ("NAT rules", "NAT 규칙"),
    # legend
    "Legend.Title": ("Legend", "범례"),
    # legend entries by selector: English is GraphLegendEntries' own text (None: not in the English resx)
    "Legend.node.kind-netns.host": (None, "Host 네트워크 네임스페이스"),
    "Legend.node.kind-netns": (None, "네트워크 네임스페이스 (상자)"),
    "Legend.node.kind-netns.empty-ns": (None, "lo만 있는 네임스페이스"),
    "Legend.node.kind-container": (None, "Container"),
    "Legend.node.kind-container.mode-host": (None, "--network host container"),
    "Legend.node.kind-interface.type-bridge": (None, "브리지: 가상 스위치"),
    "Legend.node.kind-interface.type-veth": (None, "veth 끝"),
    "Legend.node.kind-interface.host-device, node.kind-interface.type-device": (None, "물리 인터페이스 (NIC)"),
    "Legend.node.kind-interface.type-loopback": (None, "Loopback (lo)"),
    "Legend.node.kind-interface.type-macvlan": (None, "macvlan / vxlan / tun"),
    "Legend.node.kind-interface.down": (None, "down 상태 인터페이스"),
    "Legend.node.kind-network": (None, "Docker 네트워크"),
    "Legend.node.kind-network.internal": (None, "Docker 네트워크, --internal"),
    "Legend.node.kind-nat-rule.masquerade": (None, "출발지 NAT: MASQUERADE"),
    "Legend.node.kind-nat-rule.dnat": (None, "목적지 NAT: 공개된 포트"),
    "Legend.node.kind-external": (None, "외부 세계"),
    "Legend.edge.kind-veth": (None, "veth 페어: 가상 케이블"),
    "Legend.edge.kind-bridge-port": (None, "브리지에 연결된 포트"),
    "Legend.edge.kind-network-bridge": (None, "Docker 네트워크 → 브리지"),
    "Legend.edge.kind-nat": (None, "MASQUERADE: 보낸 주소를 바꿈"),
    "Legend.edge.kind-nat.dnat": (None, "DNAT: 공개된 포트를 전달"),
    "Legend.edge.kind-route": (None, "Default route"),
    "Legend.edge.kind-lower": (None, "macvlan → 하위 장치"),
    "Legend..nv-added": (None, "방금 생김"),
    "Legend..nv-leaving": (None, "방금 사라짐"),
    "Legend..nv-match, .nv-focus": (None, "검색 결과"),
    "Legend..nv-step": (None, "강의 또는 재생 중인 단계"),
}

HEAD = '''<?xml version="1.0" encoding="utf-8"?>
<root>
  <resheader name="resmimetype"><value>text/microsoft-resx</value></resheader>
  <resheader name="version"><value>2.0</value></resheader>
  <resheader name="reader"><value>System.Resources.ResXResourceReader, System.Windows.Forms, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089</value></resheader>
  <resheader name="writer"><value>System.Resources.ResXResourceWriter, System.Windows.Forms, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089</value></resheader>
'''
here = os.path.dirname(os.path.abspath(__file__))
for suffix, col in (("", 0), (".ko", 1)):
    with open(os.path.join(here, f"SharedResource{suffix}.resx"), "w", encoding="utf-8") as f:
        f.write(HEAD)
        for key, values in S.items():
            if values[col] is None: continue
            f.write(f'  <data name="{escape(key)}" xml:space="preserve"><value>{escape(values[col])}</value></data>\n')
        f.write("</root>\n")
