package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"fugong/domain"
)

// enterprise is one demo company: name, industry, headcount, contact.
type enterprise struct {
	name, industry string
	headcount      int
	contact        string
}

// enterprises are made-up companies of the kinds Changshan has: textiles, aluminium and
// metal working, machinery, food, chemicals, building materials.
var enterprises = []enterprise{
	{"山东长星纺织有限公司", "纺织服装", 860, "王建国"},
	{"邹平长山恒通机械制造有限公司", "机械制造", 320, "李志刚"},
	{"滨州鑫源铝业科技有限公司", "金属制品", 540, "张海燕"},
	{"邹平范公面粉有限公司", "食品加工", 95, "刘德胜"},
	{"山东会仙化工有限公司", "化工", 210, "陈立新"},
	{"邹平太平建材有限公司", "建材", 130, "赵永强"},
	{"长山镇宏达轴承有限公司", "机械制造", 175, "孙红梅"},
	{"山东大由棉业有限公司", "纺织服装", 410, "周明"},
	{"邹平颜家食品有限公司", "食品加工", 68, "吴桂英"},
	{"滨州长白山包装材料有限公司", "造纸印刷", 142, "郑国华"},
	{"邹平东范汽车配件有限公司", "机械制造", 265, "冯金凤"},
	{"山东周家电子科技有限公司", "电子电器", 188, "褚文斌"},
	{"邹平孙家铸造有限公司", "金属制品", 97, "卫建军"},
	{"长山镇瑞丰植物油有限公司", "食品加工", 56, "蒋丽娟"},
	{"山东华康医用敷料有限公司", "医药", 230, "沈晓东"},
	{"邹平长山新型墙材有限公司", "建材", 74, "韩春生"},
	{"滨州恒盛纺织印染有限公司", "纺织服装", 620, "杨秀兰"},
	{"邹平鲁中物流有限公司", "物流运输", 88, "朱卫东"},
	{"山东长山精细化工有限公司", "化工", 156, "秦玉梅"},
	{"邹平会仙农机制造有限公司", "机械制造", 112, "尤大伟"},
	{"长山镇福源面业有限公司", "食品加工", 45, "许爱华"},
	{"邹平太平铝型材有限公司", "金属制品", 298, "何志明"},
	{"山东范公制衣有限公司", "纺织服装", 350, "吕晓燕"},
	{"邹平大由电线电缆有限公司", "电子电器", 164, "施建华"},
	{"滨州长白纸业有限公司", "造纸印刷", 205, "张国庆"},
	{"邹平周家建筑安装工程有限公司", "建筑施工", 120, "孔繁荣"},
	{"长山镇金泰五金制品有限公司", "金属制品", 63, "曹立军"},
	{"山东颜家生物科技有限公司", "医药", 147, "严春花"},
	{"邹平东范塑料制品有限公司", "化工", 79, "华建平"},
	{"长山镇惠民超市配送中心", "商贸服务", 38, "金晓明"},
	{"邹平孙家玻璃制品有限公司", "建材", 102, "魏永福"},
	{"山东长山纺纱有限公司", "纺织服装", 480, "陶建新"},
	{"邹平会仙食品冷链有限公司", "物流运输", 57, "姜海波"},
	{"滨州太平机电设备有限公司", "机械制造", 134, "戚小红"},
	{"邹平长山家具制造有限公司", "其他", 86, "谢文华"},
	{"山东大由钢结构有限公司", "建筑施工", 190, "邹志强"},
}

// createEnterprises registers the demo companies, spread over the zones, three weeks ago.
func (s *seeder) createEnterprises(ctx context.Context) error {
	s.day(-21, 9, 0)
	for i, d := range enterprises {
		zone := Zones[i%len(Zones)]
		code := creditCode(s.rng)
		phone := fmt.Sprintf("13%d%08d", 5+s.rng.IntN(5), s.rng.IntN(100_000_000))
		address := fmt.Sprintf("山东省邹平市长山镇%s%d号", streets[i%len(streets)], 1+s.rng.IntN(300))
		hc := d.headcount
		e, err := s.svc.Enterprises.Create(ctx, s.town, domain.EnterpriseInput{
			Name: &d.name, CreditCode: &code, Industry: &d.industry, Zone: &zone, Address: &address,
			ContactName: &d.contact, ContactPhone: &phone, Headcount: &hc,
		})
		if err != nil {
			return fmt.Errorf("enterprise %s: %w", d.name, err)
		}
		s.ents = append(s.ents, e)
	}
	return nil
}

var streets = []string{"长白山路", "范公路", "会仙路", "月河路", "工业园一路", "工业园二路", "长山大街", "醴泉路"}

// creditCode makes a valid unified social credit code of a company registered in Zouping
// (91 = enterprise registered with market regulation, 371626 = Zouping).
func creditCode(rng *rand.Rand) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	b := []byte("91371626MA")
	for len(b) < 17 {
		b = append(b, alphabet[rng.IntN(len(alphabet))])
	}
	return string(append(b, domain.CreditCheckChar(string(b))))
}

// createStaff makes the supervisors and an HR account for every enterprise, and assigns each
// enterprise a supervisor: supervisor1 looks after the first enterprise and every fifth after.
func (s *seeder) createStaff(ctx context.Context) error {
	// The task force had two town admins: its office (changshan) and its deputy head.
	deputy, err := s.svc.Users.Create(ctx, s.town, domain.NewUser{
		Username: "changshan2", Password: Password, Role: domain.RoleTownAdmin, Name: "周立新", Phone: "13905431000",
	})
	if err != nil {
		return fmt.Errorf("second town admin: %w", err)
	}
	s.town2 = deputy.Actor()
	supervisors := []struct{ username, name, phone string }{
		{"supervisor1", "马卫国", "13905431001"}, {"supervisor2", "高秀芳", "13905431002"},
		{"supervisor3", "林志远", "13905431003"}, {"supervisor4", "郭春燕", "13905431004"},
		{"supervisor5", "何建民", "13905431005"},
	}
	for _, sv := range supervisors {
		u, err := s.svc.Users.Create(ctx, s.town, domain.NewUser{
			Username: sv.username, Password: Password, Role: domain.RoleSupervisor, Name: sv.name, Phone: sv.phone,
		})
		if err != nil {
			return fmt.Errorf("supervisor %s: %w", sv.username, err)
		}
		s.supervisors = append(s.supervisors, u.Actor())
	}
	for i, e := range s.ents {
		sup := s.supervisors[i%len(s.supervisors)]
		if _, err := s.svc.Enterprises.SetSupervisors(ctx, s.town, e.ID, []int64{sup.UserID}); err != nil {
			return fmt.Errorf("supervisors of %s: %w", e.Name, err)
		}
		u, err := s.svc.Users.Create(ctx, s.town, domain.NewUser{
			Username: fmt.Sprintf("hr%d", i+1), Password: Password, Role: domain.RoleEnterpriseHR,
			Name: e.ContactName, Phone: e.ContactPhone, EnterpriseID: e.ID,
		})
		if err != nil {
			return fmt.Errorf("hr of %s: %w", e.Name, err)
		}
		s.hr = append(s.hr, u.Actor())
	}
	return nil
}
