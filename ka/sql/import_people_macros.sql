-- Enumerated cells of the contacts, team, relationship and action imports, in English or Chinese,
-- as the codes the app keeps (ka/relationships.py). Anything else is null, and the row is refused
-- with 'unknown_value' when the cell was not blank. Header-style keys (ka_name_key): case, spaces,
-- '-', '_' and '/' do not matter.
create or replace temp macro ka_contact_level(v) as
    case ka_name_key(v)
        when 'executive' then 'executive' when 'exec' then 'executive' when 'senior' then 'executive'
        when 'seniorexecutive' then 'executive' when 'clevel' then 'executive' when 'csuite' then 'executive'
        when '高层' then 'executive' when '高管' then 'executive' when '决策层' then 'executive'
        when '公司高层' then 'executive' when '管理高层' then 'executive'
        when 'management' then 'management' when 'manager' then 'management' when 'middle' then 'management'
        when 'middlemanagement' then 'management' when '中层' then 'management' when '管理层' then 'management'
        when '中层管理' then 'management' when '中层管理者' then 'management'
        when 'operational' then 'operational' when 'operations' then 'operational' when 'staff' then 'operational'
        when '基层' then 'operational' when '执行层' then 'operational' when '操作层' then 'operational'
        when '一线' then 'operational' when '员工' then 'operational'
    end;
create or replace temp macro ka_buying_role(v) as
    case ka_name_key(v)
        when 'decisionmaker' then 'decision_maker' when 'decider' then 'decision_maker' when 'dm' then 'decision_maker'
        when 'economicbuyer' then 'decision_maker' when '决策者' then 'decision_maker' when '决策人' then 'decision_maker'
        when '拍板人' then 'decision_maker'
        when 'influencer' then 'influencer' when '影响者' then 'influencer' when '影响人' then 'influencer'
        when 'user' then 'user' when 'enduser' then 'user' when '使用者' then 'user' when '用户' then 'user'
        when '使用人' then 'user'
        when 'champion' then 'champion' when 'coach' then 'champion' when 'supporter' then 'champion'
        when '支持者' then 'champion' when '内线' then 'champion' when '教练' then 'champion'
        when 'blocker' then 'blocker' when 'opponent' then 'blocker' when 'detractor' then 'blocker'
        when '反对者' then 'blocker' when '阻碍者' then 'blocker'
    end;
create or replace temp macro ka_team_role(v) as
    case ka_name_key(v)
        when 'kamanager' then 'ka_manager' when 'kam' then 'ka_manager' when 'accountmanager' then 'ka_manager'
        when 'keyaccountmanager' then 'ka_manager' when '客户经理' then 'ka_manager'
        when '大客户经理' then 'ka_manager' when '销售经理' then 'ka_manager'
        when 'solutionmanager' then 'solution_manager' when 'productmanager' then 'solution_manager'
        when 'solutionsmanager' then 'solution_manager' when 'presales' then 'solution_manager'
        when '解决方案经理' then 'solution_manager' when '方案经理' then 'solution_manager'
        when '产品经理' then 'solution_manager' when '售前' then 'solution_manager'
        when 'deliverymanager' then 'delivery_manager' when 'servicemanager' then 'delivery_manager'
        when '交付经理' then 'delivery_manager' when '服务经理' then 'delivery_manager'
        when '项目经理' then 'delivery_manager'
        when 'executivesponsor' then 'executive_sponsor' when 'sponsor' then 'executive_sponsor'
        when '高层发起人' then 'executive_sponsor' when '高层对接人' then 'executive_sponsor'
        when '高管负责人' then 'executive_sponsor' when '高层赞助人' then 'executive_sponsor'
    end;
create or replace temp macro ka_colour(v) as
    case ka_name_key(v)
        when 'green' then 'green' when 'g' then 'green' when '绿' then 'green' when '绿色' then 'green'
        when 'yellow' then 'yellow' when 'amber' then 'yellow' when 'y' then 'yellow' when '黄' then 'yellow'
        when '黄色' then 'yellow'
        when 'red' then 'red' when 'r' then 'red' when '红' then 'red' when '红色' then 'red'
    end;
create or replace temp macro ka_action_status(v) as
    case ka_name_key(v)
        when 'open' then 'open' when 'new' then 'open' when 'todo' then 'open' when 'notstarted' then 'open'
        when '未开始' then 'open' when '待办' then 'open' when '待处理' then 'open' when '新建' then 'open'
        when 'inprogress' then 'in_progress' when 'ongoing' then 'in_progress' when 'started' then 'in_progress'
        when '进行中' then 'in_progress' when '处理中' then 'in_progress' when '执行中' then 'in_progress'
        when 'done' then 'done' when 'closed' then 'done' when 'completed' then 'done' when 'complete' then 'done'
        when '完成' then 'done' when '已完成' then 'done' when '已关闭' then 'done' when '关闭' then 'done'
        when 'cancelled' then 'cancelled' when 'canceled' then 'cancelled' when 'dropped' then 'cancelled'
        when '取消' then 'cancelled' when '已取消' then 'cancelled' when '作废' then 'cancelled'
    end;
create or replace temp macro ka_priority(v) as
    case ka_name_key(v)
        when 'high' then 'high' when 'h' then 'high' when 'p1' then 'high' when '高' then 'high'
        when '紧急' then 'high'
        when 'medium' then 'medium' when 'normal' then 'medium' when 'm' then 'medium' when 'p2' then 'medium'
        when '中' then 'medium' when '一般' then 'medium'
        when 'low' then 'low' when 'l' then 'low' when 'p3' then 'low' when '低' then 'low'
    end;
create or replace temp macro ka_action_reason(v) as
    case ka_name_key(v)
        when 'health' then 'health' when 'healthmeasure' then 'health' when 'risk' then 'health'
        when '健康度' then 'health' when '健康' then 'health' when '风险' then 'health'
        when 'relationship' then 'relationship' when 'relationshipgap' then 'relationship'
        when 'coverage' then 'relationship' when '关系' then 'relationship' when '关系缺口' then 'relationship'
        when '客户关系' then 'relationship' when '高层拜访' then 'relationship'
        when 'kpi' then 'kpi' when 'scorecard' then 'kpi' when 'scorecardkpi' then 'kpi' when '指标' then 'kpi'
        when '考核指标' then 'kpi' when '计分卡' then 'kpi'
        when 'manual' then 'manual' when 'other' then 'manual' when '手动' then 'manual' when '手工' then 'manual'
        when '其他' then 'manual'
    end;
