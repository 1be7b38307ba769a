#!/usr/bin/env python3
# tests/data/bids/gen_samples.py
#    Regenerates the sample bids and clearing rules of this folder (the
#    Feicheng pipeline tender, docs/clearing.md "Sample data").  Every line
#    total is computed exactly as eb_bid_line_amount() does (half up), except
#    the errors planted on purpose.  Run: python3 tests/data/bids/gen_samples.py
import hashlib, os
OUT=os.path.dirname(os.path.abspath(__file__))
os.makedirs(OUT, exist_ok=True)
T='FC-2026-WS-017-L1'
LINES=[
 (1,'040101002001','Trench excavation, mechanical, depth up to 3 m / 挖沟槽土方（机械，深3m以内）','m3',4860250,3850),
 (2,'040501004001','DN600 ductile iron pipe K9, supply and laying / 球墨铸铁管DN600 K9级 安装','m',3200000,98000),
 (3,'040501004002','DN300 ductile iron pipe K9, supply and laying / 球墨铸铁管DN300 K9级 安装','m',1150500,46500),
 (4,'040504001001','Brick valve chamber 2.0 m x 1.8 m / 砖砌阀门井 2.0m×1.8m','座',24000,1280000),
 (5,'040502005001','Butterfly valve DN600 PN1.0 / 蝶阀DN600 PN1.0','个',12000,1860000),
 (6,'040103001001','Trench backfill, graded sand and gravel / 沟槽回填（级配砂石）','m3',4120750,4200),
 (7,'040203007001','Asphalt road surface restoration / 沥青混凝土路面恢复','m2',5600000,15600),
 (8,'041109001001','Traffic management and safety measures (lump sum) / 交通疏导及安全文明施工（总价措施项目）','项',1000,None),
]
def amt(q,u):
    p=q*u; return p//1000 + (1 if p%1000>=500 else 0)
def esc(s): return s.replace('&','&amp;').replace('<','&lt;').replace('>','&gt;').replace('"','&quot;')
SECTIONS={'construction-plan':'施工组织设计：采用分段开槽、分段试压、分段恢复路面的流水施工方法。Construction organization design.',
 'schedule-guarantee':'工期保证措施：关键线路为DN600主管安装，配备两个管道安装班组。Schedule guarantee measures.',
 'quality-and-safety':'质量安全保证措施：管道水压试验按GB 50268执行，沟槽深度超过3m时设置钢板桩支护。Quality and safety measures.'}
DECLS={'licence-grade':'本公司具有市政公用工程施工总承包二级及以上资质。We hold a Grade II (or higher) general contracting licence for municipal works.',
 'project-manager':'拟派项目经理具有市政公用工程专业二级及以上注册建造师资格，且无在建工程。The proposed project manager is a registered constructor (municipal, Grade II or higher) with no other ongoing project.',
 'no-debarment':'本公司未被列入失信被执行人名单，近三年无行贿犯罪记录。We are not on the list of dishonest judgment debtors and have no bribery conviction in the last three years.',
 'bid-bond':'投标保证金人民币80,000元已从本公司基本账户缴纳。The bid bond of CNY 80,000 has been paid from our basic account.'}
DOCS=['business-licence.pdf','safety-permit.pdf','bid-bond-receipt.pdf']

def bid(fname, prices, errors, total_override, tech, fp, created, contact, days, drop_line=None, drop_sec=None, drop_decl=None, drop_doc=None, party=''):
    rows=[]; s=0
    for (no,code,desc,unit,q,c) in LINES:
        if no==drop_line: continue
        u=prices[no]
        qq=errors.get(no,q)  # quantity used by the bidder's spreadsheet
        t=amt(qq,u)
        s+=t
        qs=('%d.%03d'%(q//1000,q%1000)).rstrip('0').rstrip('.')
        rows.append('    <line no="%d" code="%s" description="%s" unit="%s" quantity="%s" unit-price="%d" total="%d"/>'%(no,code,esc(desc),unit,qs,u,t))
    tot=s if total_override is None else total_override
    x=['<?xml version="1.0" encoding="UTF-8"?>',
       '<!-- %s -->'%party,
       '<bid xmlns="urn:ebid:1" tender="%s">'%T,
       '  <total-price>%d</total-price>'%tot,'  <lines>']+rows+['  </lines>','  <qualifications>']
    for k,v in DECLS.items():
        if k!=drop_decl: x.append('    <declaration ref="%s">%s</declaration>'%(k,esc(v)))
    x.append('  </qualifications>'); x.append('  <sections>')
    for k,v in SECTIONS.items():
        if k!=drop_sec: x.append('    <section name="%s">%s</section>'%(k,esc(v)))
    x.append('  </sections>'); x.append('  <documents>')
    for d in DOCS:
        if d!=drop_doc: x.append('    <document name="%s" sha256="%s"/>'%(d,hashlib.sha256((fname+d).encode()).hexdigest()))
    x.append('  </documents>')
    x.append('  <technical>%s</technical>'%esc(tech))
    x.append('  <metadata>'); x.append('    <client-version>ebid 0.1.0</client-version>')
    x.append('    <machine-fingerprint>%s</machine-fingerprint>'%fp); x.append('    <created>%s</created>'%created); x.append('  </metadata>')
    x.append('  <contact>')
    for k in ('name','phone','email','address'): x.append('    <%s>%s</%s>'%(k,esc(contact[k]),k))
    x.append('  </contact>'); x.append('  <completion-days>%d</completion-days>'%days); x.append('</bid>')
    open(os.path.join(OUT,fname),'w').write('\n'.join(x)+'\n')
    return s,tot

def fit(prices, target, errors, drop_line=None):
    # line 2 absorbs the bulk, line 8 (qty 1) the remainder
    def tsum(p):
        return sum(amt(errors.get(no,q),p[no]) for (no,code,d,u,q,c) in LINES if no!=drop_line)
    p=dict(prices); base8=p[8]
    p[2]=0; p[8]=0
    rest=target-tsum(p)-base8
    p[2]=rest*1000//3200000
    q8=dict(p); q8[8]=0; p[8]=target-tsum(q8)
    assert abs(p[8]-base8)<1000000,(p[8],base8)
    assert tsum(p)==target
    return p

TECH_A=('本标段为肥城市供水管网改造工程一标段，主管采用DN600球墨铸铁管，全长约3.2公里。我公司拟采用“分段开槽、分段安装、分段试压”的流水作业方法，'
 '每段长度不超过200米，开槽后24小时内完成管道安装和部分回填，以减少对沿线居民出行的影响。管道基础采用中粗砂垫层，厚度不小于150毫米；'
 '承插口采用T型橡胶圈柔性接口，安装前逐根检查管材外观和内衬。阀门井采用MU10砖砌筑，井内抹面防渗。水压试验压力为工作压力的1.5倍且不小于0.9兆帕，'
 '冲洗消毒后经水质检测合格方可并网。我公司在泰安、济南完成过类似供水管道工程十余项，项目经理具有一级建造师资格。'
 'Summary: open-trench renewal in sections of at most 200 m, DN600 K9 ductile iron main, hydrostatic test at 1.5 x working pressure, flushing and disinfection before connection.')
TECH_B=('我单位认真研究了招标文件和施工图纸，针对本工程城区道路下施工、交通繁忙、地下管线复杂的特点，编制了本施工组织设计。施工前先进行管线探测和人工探坑，'
 '确认燃气、通信和电力管线的位置后再开挖。沟槽开挖采用挖掘机配合人工清底，槽深超过三米的地段采用拉森钢板桩支护，并设置集水井降水。'
 '管道安装采用吊车下管，人工配合对口，承插口安装后检查胶圈位置。每完成一个试压段，立即进行水压试验，试验合格后分层回填并压实，'
 '压实度不低于百分之九十五。路面恢复采用沥青混凝土，分两层摊铺。施工期间设置围挡和警示灯，安排专人疏导交通，夜间施工提前向社区公告。'
 'Summary: locate existing utilities first, steel sheet piling where the trench is deeper than 3 m, test each section before backfill, two-layer asphalt reinstatement.')
TECH_C=TECH_B.replace('我单位认真研究了','本公司认真研究了').replace('编制了本施工组织设计','编制本施工方案').replace('夜间施工提前向社区公告','夜间施工提前三天向社区公告')
TECH_D=('Technical proposal (English original, Chinese summary follows). The works will be executed by three crews working in parallel from the pumping station towards the '
 'east ring road. Each crew has one excavator, one 25 t crane and a pipe-laying team of eight. Trenches are supported by trench boxes; pipes are bedded on 150 mm of '
 'coarse sand and jointed with push-on gaskets. Valve chambers are built in brick and rendered. Road surfaces are restored within 72 hours of backfilling. '
 '技术方案摘要：三个作业队平行施工，采用沟槽支护箱，路面在回填后72小时内恢复。')
TECH_E=('本工程工期短、任务重，我公司将投入充足的人员和机械设备，确保按期完工。主要施工机械：挖掘机四台、汽车吊两台、压路机两台、自卸汽车十辆。'
 '材料全部从厂家直接采购，减少中间环节，降低成本。施工中严格执行三检制度，即自检、互检、交接检。安全方面建立以项目经理为第一责任人的安全生产责任制，'
 '每天开工前进行班前安全讲话。文明施工方面做到工完场清，渣土车辆全部覆盖。'
 'Summary: four excavators, two truck cranes, direct purchase from manufacturers to lower costs, three-level inspection, daily safety briefings.')

# A clean
pa={1:3920,2:99500,3:47200,4:1262000,5:1885000,6:4310,7:15350,8:18500000}
pa=fit(pa,570368000,{})
sa=bid('bid-1-quancheng.xml',pa,{},None,TECH_A,'a3f1c09e7b2d4e58f6a1b0c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2','2026-11-20T08:41:07.215Z',
  {'name':'王建国 Wang Jianguo','phone':'0531-86912345','email':'bid@qcsz.com.cn','address':'济南市历下区经十路17号 17 Jingshi Road, Lixia District, Jinan'},210,party='P-1001 山东泉城市政工程有限公司 Shandong Quancheng Municipal Engineering Co., Ltd. (clean bid)')
# B and C: same spreadsheet errors on lines 3 and 6 (quantity rounded down)
err={3:1150000,6:4120000}
pb={1:4035,2:104000,3:49800,4:1350000,5:1985000,6:4450,7:16600,8:18800000}
pb=fit(pb,598200000,err)
sb=bid('bid-2-huayu.xml',pb,err,None,TECH_B,'5e0d7c1b9a8f6e4d2c0b1a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d','2026-11-21T15:02:44.380Z',
  {'name':'刘海涛 Liu Haitao','phone':'0538-3219876','email':'huayu_bid@163.com','address':'泰安市泰山区东岳大街88号 88 Dongyue Street, Taishan District, Tai\'an'},200,party='P-1002 泰安华宇建设集团有限公司 Tai\'an Huayu Construction Group Co., Ltd.')
pc={1:4035,2:104500,3:49900,4:1348000,5:1990000,6:4480,7:16650,8:18650000}
pc=fit(pc,599400000,err)
sc=bid('bid-3-jinlu.xml',pc,err,None,TECH_C,'5e0d7c1b9a8f6e4d2c0b1a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d','2026-11-21T15:02:44.380Z',
  {'name':'赵明 Zhao Ming','phone':'0538 321 9876','email':'jinlu.pipe@126.com','address':'肥城市新城路205号 205 Xincheng Road, Feicheng'},205,party='P-1003 肥城金路管道工程有限公司 Feicheng Jinlu Pipeline Engineering Co., Ltd.')
pd={1:4250,2:108000,3:51500,4:1400000,5:2050000,6:4600,7:17200,8:19000000}
pd=fit(pd,600600000,{},drop_line=6)
sd=bid('bid-4-taishan.xml',pd,{},None,TECH_D,'9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b','2026-11-22T10:15:00.000Z',
  {'name':'孙立 Sun Li','phone':'0531-88765432','email':'tender@tsswjs.cn','address':'济南市市中区英雄山路129号 129 Yingxiongshan Road, Shizhong District, Jinan'},195,
  drop_line=6,drop_sec='schedule-guarantee',drop_decl='no-debarment',drop_doc='safety-permit.pdf',party='P-1004 济南泰山水务建设有限公司 Jinan Taishan Water Works Construction Co., Ltd.')
pe={1:2250,2:56500,3:27000,4:742000,5:1080000,6:2450,7:9050,8:23000000}
pe=fit(pe,330412345,{})
se=bid('bid-5-hengda.xml',pe,{},330421345,TECH_E,'1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a','2026-11-23T21:30:12.007Z',
  {'name':'陈志强 Chen Zhiqiang','phone':'0534-2681122','email':'hengda_szjs@qq.com','address':'德州市德城区天衢路56号 56 Tianqu Road, Decheng District, Dezhou'},150,party='P-1005 德州恒达市政建设有限公司 Dezhou Hengda Municipal Construction Co., Ltd.')
TECH_F=('我公司承诺严格按照招标文件和设计图纸组织施工。主管道沿现状道路西侧人行道敷设，遇既有管线时采用人工开挖并做好保护。'
 '顶管段采用泥水平衡顶管机，工作井和接收井采用沉井法施工。管道焊接和防腐由持证焊工完成，每道焊口做外观检查和无损检测。'
 '竣工后提交完整的管道竣工图和试压、冲洗、消毒记录。'
 'Summary: main laid under the west footway, slurry-balance pipe jacking at crossings, certified welders, full as-built records.')
# F: a cover bid of Hengda's (same office address), bid bond not paid
pf={1:4010,2:101900,3:48300,4:1320000,5:1930000,6:4360,7:16150,8:19100000}
pf=fit(pf,585000000,{})
sf=bid('bid-6-lutong.xml',pf,{},None,TECH_F,'c47e2a9d0b3f5e6a7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b','2026-11-24T09:12:55.641Z',
  {'name':'周磊 Zhou Lei','phone':'0534-2239087','email':'lutong_lq@163.com','address':'德州市德城区天衢路56号 56 Tianqu Road, Decheng District, Dezhou'},200,
  drop_decl='bid-bond',party='P-1006 山东鲁通路桥工程有限公司 Shandong Lutong Road and Bridge Engineering Co., Ltd.')
for n,p in (('A',pa),('B',pb),('C',pc),('D',pd),('E',pe),('F',pf)):
    print(n,p)
print(sa,sb,sc,sd,se,sf)
# rules
r=['<?xml version="1.0" encoding="UTF-8"?>',
 '<!-- Clearing rules of tender %s: Feicheng Water Supply Pipeline Renewal, Lot 1 (肥城市供水管网改造工程一标段).'%T,
 '     Every threshold not written here takes its default (docs/clearing.md). -->',
 '<clearing-rules xmlns="urn:ebid:1" tender="%s">'%T,
 '  <ceiling-price>600000000</ceiling-price>','  <cost-floor>360000000</cost-floor>',
 '  <low-vs-mean-percent>40</low-vs-mean-percent>','  <low-vs-next-percent>30</low-vs-next-percent>',
 '  <unbalanced-band-percent>10</unbalanced-band-percent>','  <similarity-threshold>800</similarity-threshold>',
 '  <shingle-size>5</shingle-size>','  <price-band-per-mille>5</price-band-per-mille>',
 '  <required-sections>']+['    <section name="%s"/>'%k for k in SECTIONS]+['  </required-sections>','  <required-declarations>']+['    <declaration ref="%s"/>'%k for k in DECLS]+['  </required-declarations>','  <required-documents>']+['    <document name="%s"/>'%k for k in DOCS]+['  </required-documents>','  <control-prices>']
for (no,code,desc,unit,q,c) in LINES:
    r.append('    <control-price code="%s" unit-price="%d"/>'%(code,c) if c is not None else '    <control-price code="%s"/>'%code)
r+=['  </control-prices>','</clearing-rules>']
open(os.path.join(OUT,'clearing-rules.xml'),'w').write('\n'.join(r)+'\n')
